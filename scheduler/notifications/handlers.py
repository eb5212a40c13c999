"""One handler per event kind: who hears of it, in which language, with which template and links.

The worker calls these when it turns pending intents into mail (``dispatch.py``), inside an app
context but outside any request: links are built from ``BASE_URL`` (``links.external_url``).
Each handler reads the rows the event names as they are now; a row deleted since (a user, a
signup, an invitation) means nobody is left to tell. Returns how many messages it queued.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from scheduler import events
from scheduler.models import Court, Incident, Invitation, Signup, User
from scheduler.notifications import messages
from scheduler.notifications.links import external_url
from scheduler.response import escalation
from scheduler.types import utcnow


def account_approved(session: Session, event: events.AccountApproved) -> int:
    user = session.get(User, event.user_id)
    if user is None:
        return 0
    messages.account_approved(session, user=user)
    return 1


def password_reset(session: Session, event: events.PasswordResetRequested) -> int:
    user = session.get(User, event.user_id)
    if user is None:
        return 0
    link = external_url("auth.reset_password", token=event.token)
    messages.password_reset(session, user=user, link=link, minutes=event.minutes)
    return 1


def already_registered(session: Session, event: events.AlreadyRegistered) -> int:
    user = session.get(User, event.user_id)
    if user is None:
        return 0
    messages.already_registered(session, user=user, link=external_url("auth.forgot_password"))
    return 1


def hearing_rescheduled(session: Session, event: events.HearingRescheduled) -> int:
    return messages.hearing_changed(
        session,
        signup_ids=event.signup_ids,
        old_starts_at=event.old_starts_at,
        old_court=session.get(Court, event.old_court_id),
        old_courtroom=event.old_courtroom,
    )


def hearing_cancelled(session: Session, event: events.HearingCancelled) -> int:
    return messages.hearing_cancelled(session, signup_ids=event.signup_ids)


def hearing_details_changed(session: Session, event: events.HearingDetailsChanged) -> int:
    changes = {name: dict(values) for name, values in event.changes.items()}
    return messages.hearing_details_changed(session, signup_ids=event.signup_ids, changes=changes)


def waitlist_promoted(session: Session, event: events.WaitlistPromoted) -> int:
    signup = session.get(Signup, event.signup_id)
    if signup is None:
        return 0
    messages.waitlist_promoted(session, signup=signup)
    return 1


def late_drop(session: Session, event: events.LateDropped) -> int:
    signup = session.get(Signup, event.signup_id)
    if signup is None:
        return 0
    return messages.late_drop(session, signup=signup)


def invitation(session: Session, event: events.InvitationSent) -> int:
    found = session.get(Invitation, event.invitation_id)
    if found is None:
        return 0
    return int(messages.invited(session, invitation=found))


def seat_cant_make_it(session: Session, event: events.SeatCantMakeIt) -> int:
    signup = session.get(Signup, event.signup_id)
    if signup is None:
        return 0
    return messages.cant_make_it(session, signup=signup, promoted=event.promoted, invited=event.invited)


def _reach(session: Session, *, incident_id: int, tier: int) -> int:
    """Reach the incident's people from ``tier`` on, each with an urgent alert (rapid response)."""
    now = utcnow()
    ttl = timedelta(hours=int(current_app.config["ACK_LINK_HOURS"]))
    reaches = escalation.reach_tier(session, incident_id=incident_id, tier=tier, now=now, link_ttl=ttl)
    if not reaches:
        return 0
    incident = session.get(Incident, incident_id)
    return messages.incident_alerts(session, incident=incident, reaches=reaches, now=now)


def incident_raised(session: Session, event: events.IncidentRaised) -> int:
    return _reach(session, incident_id=event.incident_id, tier=0)


def incident_escalated(session: Session, event: events.IncidentEscalated) -> int:
    return _reach(session, incident_id=event.incident_id, tier=event.tier)


HANDLERS: dict[type[events.Event], Callable[[Session, Any], int]] = {
    events.AccountApproved: account_approved,
    events.PasswordResetRequested: password_reset,
    events.AlreadyRegistered: already_registered,
    events.HearingRescheduled: hearing_rescheduled,
    events.HearingCancelled: hearing_cancelled,
    events.HearingDetailsChanged: hearing_details_changed,
    events.WaitlistPromoted: waitlist_promoted,
    events.LateDropped: late_drop,
    events.InvitationSent: invitation,
    events.SeatCantMakeIt: seat_cant_make_it,
    events.IncidentRaised: incident_raised,
    events.IncidentEscalated: incident_escalated,
}


def handle(session: Session, event: events.Event) -> int:
    """Queue the event's messages in the current transaction; how many."""
    return HANDLERS[type(event)](session, event)
