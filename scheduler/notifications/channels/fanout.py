"""Queue one message on every channel a person chose for its kind and can be reached on.

Urgent alerts (rapid response) use the channels the person picked for them (all by default);
other messages go by email. A channel counts only when it is configured here (settings), and
the person has what it needs: an email address, a verified number (SMS, Signal) or a push
subscription (one message per device). An empty list means the person was not reached.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from scheduler.models import PhoneNumber, User
from scheduler.notifications import preferences
from scheduler.notifications.channels.base import CHANNELS, EMAIL, PHONE_CHANNELS, PUSH
from scheduler.notifications.channels.providers import configured_channels
from scheduler.notifications.channels.push_subscriptions import subscriptions
from scheduler.notifications.outbox import Composed, enqueue
from scheduler.types import utcnow


def chosen_channels(session: Session, user: User, *, urgent: bool) -> tuple[str, ...]:
    """The channels this person wants for an urgent alert, or email for anything else."""
    if not urgent:
        return (EMAIL,)
    prefs = preferences.prefs_for(session, user.id, default_hours=())
    return CHANNELS if prefs.urgent_channels is None else prefs.urgent_channels


def _available() -> frozenset[str]:
    return configured_channels(current_app.config) if has_app_context() else frozenset({EMAIL})


def enqueue_on_channels(
    session: Session,
    *,
    user: User,
    kind: str,
    subject: str,
    text: str,
    link: str,
    urgent: bool,
    now: datetime,
    html: str | None = None,
    available: Collection[str] | None = None,
    email_headers: Mapping[str, str] | None = None,
) -> list[tuple[str, int]]:
    """(channel, outbox id) for each message queued; [] when no channel reaches the person."""
    usable = _available() if available is None else frozenset(available)
    wanted = [c for c in chosen_channels(session, user, urgent=urgent) if c in usable]
    not_before = min(now, utcnow())
    short = Composed(kind=kind, subject=subject, text=text, headers={"X-Link": link} if link else {})
    queued: list[tuple[str, int]] = []

    def add(channel: str, message: Composed, subscription_id: int | None = None) -> None:
        row_id = enqueue(
            session,
            user=user,
            message=message,
            channel=channel,
            urgent=urgent,
            push_subscription_id=subscription_id,
            not_before=not_before,
        )
        if row_id is not None:
            queued.append((channel, row_id))

    for channel in wanted:
        if channel == EMAIL and user.email:
            body = text if not link or link in text else f"{text.rstrip()}\n\n{link}\n"
            headers = dict(email_headers or {})
            add(EMAIL, Composed(kind=kind, subject=subject, text=body, html=html, headers=headers))
        elif channel in PHONE_CHANNELS and _verified(session, user):
            add(channel, short)
        elif channel == PUSH:
            for sub in subscriptions(session, user.id):
                add(PUSH, short, sub.id)
    return queued


def _verified(session: Session, user: User) -> bool:
    row = session.get(PhoneNumber, user.id)
    return row is not None and row.verified_at is not None
