"""Urgent messages (rapid-response alerts): one function every alert goes through.

For now an urgent message is an email through the outbox, due at once and marked urgent for
mail clients; it ignores quiet hours, digests and opt-outs (an alert is never optional). The
multi-channel fan-out (SMS, Signal, Web Push; issue 19 item 6) will plug in here: callers get
back every (channel, outbox id) that took the message, and an empty list means "not reached".
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from scheduler.models import User
from scheduler.notifications.outbox import Composed, enqueue

URGENT_KIND = "urgent_alert"
URGENT_HEADERS = {"Importance": "high", "Priority": "urgent", "X-Priority": "1 (Highest)"}


def send_urgent(
    session: Session, *, recipient: User, subject: str, text: str, link: str, now: datetime
) -> list[tuple[str, int]]:
    """Queue the alert for ``recipient`` on each channel they can be reached on; (channel, id) each.

    ``text`` and ``subject`` are already in the recipient's language; ``link`` (the one-tap
    acknowledgement) closes the message. They must name court, courtroom, time and kind only.
    """
    if not recipient.email:
        return []
    message = Composed(
        kind=URGENT_KIND,
        subject=subject,
        text=f"{text.strip()}\n\n{link}\n",
        headers={"Content-Language": recipient.locale, **URGENT_HEADERS},
    )
    row_id = enqueue(session, user=recipient, message=message, not_before=now)
    return [] if row_id is None else [("email", row_id)]
