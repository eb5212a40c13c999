"""Notifications, the consumer: turning recorded events into mail, the worker, and preferences.

Services elsewhere never import this package. They record what happened in the change's own
transaction (``scheduler.events.record(session, HearingRescheduled(...))``); the worker's round
first hands each pending intent to its handler (``handlers.py``, via ``dispatch.py``), which
decides who hears of it and composes each message in the recipient's language
(``messages.py``, ``compose.py``, links from ``BASE_URL``) into the outbox, then sends due mail.

Running it:
- ``flask --app wsgi outbox run``: the worker; sends due mail every ``OUTBOX_POLL_SECONDS``,
  queues reminders every minute and the coordinators' digest once a day (after
  ``DIGEST_HOUR``). Between rounds it checks every ``OUTBOX_URGENT_POLL_SECONDS`` (0.5 s) for
  alerts and hands them over at once. Stops cleanly on SIGTERM. Several may run at once (PostgreSQL).
- ``outbox send`` sends what is due and exits; ``outbox remind`` / ``outbox digest [--force]``
  queue reminders / digests (idempotent, cron-safe); ``outbox status`` counts rows by status.
- ``MAIL_BACKEND = "smtp"`` with ``MAIL_SMTP_*`` delivers; "console" prints (development).
"""
