"""Notifications: composing mail into the outbox, the worker that sends it, and preferences.

Services elsewhere call the functions in :mod:`scheduler.notifications.messages` right after a
change, inside the same transaction, e.g. ``notify.hearing_changed(session, signup_ids=...)``;
the view's single commit then stores the change and its mail together.

Running it:
- ``flask --app wsgi outbox run``: the worker; sends due mail every ``OUTBOX_POLL_SECONDS``,
  queues reminders every minute and the coordinators' digest once a day (after
  ``DIGEST_HOUR``). Stops cleanly on SIGTERM. Several may run at once (PostgreSQL).
- ``outbox send`` sends what is due and exits; ``outbox remind`` / ``outbox digest [--force]``
  queue reminders / digests (idempotent, cron-safe); ``outbox status`` counts rows by status.
- ``MAIL_BACKEND = "smtp"`` with ``MAIL_SMTP_*`` delivers; "console" prints (development).
"""
