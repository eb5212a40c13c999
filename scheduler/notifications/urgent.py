"""Urgent messages (rapid-response alerts): one function every alert goes through.

An alert goes out on every channel the recipient chose for urgent alerts and can be reached on
(email, SMS, Signal, Web Push: notifications/channels/fanout.py), due at once and marked urgent
so the worker hands it over before any other mail; it ignores digests and opt-outs (an alert is
never optional). Callers get back every (channel, outbox id) that took the message; an empty
list means "not reached".
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from scheduler.models import User
from scheduler.notifications.channels.fanout import enqueue_on_channels

URGENT_KIND = "urgent_alert"
URGENT_HEADERS = {"Importance": "high", "Priority": "urgent", "X-Priority": "1 (Highest)"}


def send_urgent(
    session: Session, *, recipient: User, subject: str, text: str, link: str, now: datetime
) -> list[tuple[str, int]]:
    """Queue the alert for ``recipient`` on each channel they can be reached on; (channel, id) each.

    ``text`` and ``subject`` are already in the recipient's language; ``link`` (the one-tap
    acknowledgement) closes the message. They must name court, courtroom, time and kind only.
    """
    return enqueue_on_channels(
        session,
        user=recipient,
        kind=URGENT_KIND,
        subject=subject,
        text=text.strip(),
        link=link,
        urgent=True,
        now=now,
        email_headers={"Content-Language": recipient.locale, **URGENT_HEADERS},
    )
