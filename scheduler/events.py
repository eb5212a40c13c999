"""Things that happen and that someone must hear of, recorded in the change's transaction.

A service calls ``record(session, HearingRescheduled(...))`` next to the change it reports; the
row (``notification_intents``) commits or rolls back with the change. The notifications package
is the consumer: at send time it decides who hears of it, in which language, with which template
and links (``scheduler/notifications/handlers.py``). Events are plain, frozen data: ids,
instants and changed values, never a respondent's reference, private notes or a rendered text.
A new kind of message is one event class here and one handler there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from scheduler.models import NotificationIntent


@dataclass(frozen=True, slots=True)
class Event:
    """Base of every event; ``kind`` names it in the intents table."""

    kind: ClassVar[str] = ""
    # Urgent events (alerts) are dispatched by the worker's quick urgent step, within a second.
    urgent: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class AccountApproved(Event):
    kind: ClassVar[str] = "account_approved"
    user_id: int


@dataclass(frozen=True, slots=True)
class PasswordResetRequested(Event):
    """A reset link was made; ``token`` is its one copy outside the hash (deleted once mailed)."""

    kind: ClassVar[str] = "password_reset"
    user_id: int
    token: str
    minutes: int


@dataclass(frozen=True, slots=True)
class AlreadyRegistered(Event):
    """Someone registered with an address that has an account: its owner hears of it."""

    kind: ClassVar[str] = "already_registered"
    user_id: int


@dataclass(frozen=True, slots=True)
class HearingRescheduled(Event):
    """The hearing moved in time, court or courtroom; the seats to tell (seated or waitlisted)."""

    kind: ClassVar[str] = "hearing_rescheduled"
    hearing_id: int
    signup_ids: tuple[int, ...]
    old_starts_at: datetime
    old_court_id: int
    old_courtroom: str


@dataclass(frozen=True, slots=True)
class HearingCancelled(Event):
    kind: ClassVar[str] = "hearing_cancelled"
    hearing_id: int
    signup_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class HearingDetailsChanged(Event):
    """Details a volunteer with a seat sees changed: ``{field: {"old": ..., "new": ...}}``."""

    kind: ClassVar[str] = "hearing_details_changed"
    hearing_id: int
    signup_ids: tuple[int, ...]
    changes: Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class WaitlistPromoted(Event):
    kind: ClassVar[str] = "waitlist_promoted"
    signup_id: int


@dataclass(frozen=True, slots=True)
class LateDropped(Event):
    """A seat was given up (or a hand-over ran out) close to the hearing: its coordinators hear."""

    kind: ClassVar[str] = "late_drop"
    signup_id: int


@dataclass(frozen=True, slots=True)
class InvitationSent(Event):
    kind: ClassVar[str] = "invitation"
    invitation_id: int


@dataclass(frozen=True, slots=True)
class SeatCantMakeIt(Event):
    """On the day, a seat holder said they cannot come (the seat is released): coordinators hear."""

    kind: ClassVar[str] = "seat_cant_make_it"
    signup_id: int
    promoted: bool
    invited: int


@dataclass(frozen=True, slots=True)
class IncidentRaised(Event):
    """An alert opened an incident: the court's on-call people are reached at once."""

    kind: ClassVar[str] = "incident_raised"
    urgent: ClassVar[bool] = True
    incident_id: int


@dataclass(frozen=True, slots=True)
class IncidentEscalated(Event):
    """Nobody acknowledged in time: the next tier (coordinators, then admins) is reached."""

    kind: ClassVar[str] = "incident_escalated"
    urgent: ClassVar[bool] = True
    incident_id: int
    tier: int


EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        AccountApproved,
        PasswordResetRequested,
        AlreadyRegistered,
        HearingRescheduled,
        HearingCancelled,
        HearingDetailsChanged,
        WaitlistPromoted,
        LateDropped,
        InvitationSent,
        SeatCantMakeIt,
        IncidentRaised,
        IncidentEscalated,
    )
}

# The kinds the worker's urgent step dispatches between its full rounds (notifications/worker.py).
URGENT_KINDS: frozenset[str] = frozenset(kind for kind, cls in EVENT_TYPES.items() if cls.urgent)

_INSTANT = "$instant"


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {_INSTANT: value.isoformat()}
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_encode(v) for v in value]
    if hasattr(value, "value") and isinstance(value.value, str):  # an enum member
        return value.value
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_INSTANT}:
            return datetime.fromisoformat(value[_INSTANT])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def to_payload(event: Event) -> dict[str, Any]:
    """The event's fields as JSON-ready values (instants tagged so they come back aware)."""
    return {f.name: _encode(getattr(event, f.name)) for f in dataclasses.fields(event)}


def from_row(kind: str, payload: Mapping[str, Any]) -> Event:
    """The event a row holds; top-level lists come back as tuples (the fields' declared shape)."""
    cls = EVENT_TYPES[kind]
    values = {k: _decode(v) for k, v in payload.items()}
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})


def record(session: Session, event: Event) -> None:
    """Write the event as a pending intent in the current transaction (the caller commits)."""
    if type(event).kind not in EVENT_TYPES:
        raise ValueError(f"unknown event kind {type(event).__name__}")
    session.add(NotificationIntent(kind=event.kind, payload=to_payload(event)))
