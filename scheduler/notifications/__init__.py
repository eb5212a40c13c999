"""Notifications: composing mail into the outbox, the worker that sends it, and preferences.

Services elsewhere call the functions in :mod:`scheduler.notifications.messages` right after a
change, inside the same transaction, e.g. ``messages.hearing_changed(session, hearing=...)``.
"""
