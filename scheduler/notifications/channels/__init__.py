"""Channels beyond the outbox's email: SMS (Twilio), Signal (signal-cli) and Web Push.

``base.py`` is the interface every provider meets; ``http.py`` is the one retry loop they share
(timeouts, 429 with Retry-After, 5xx with bounded exponential backoff); ``providers.py`` builds
them from plain settings; ``fanout.py`` queues one message on every channel a person chose.
"""
