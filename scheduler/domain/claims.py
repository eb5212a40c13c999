"""Claiming, dropping and handing over seats: the decisions that do not need the database.

Eligibility itself lives in ``scheduler.domain.eligibility``; this module decides what a claim
becomes (a seat, a waitlist place, a refusal), when a drop counts as late, who on the waitlist
moves up, and when an unclaimed hand-over offer falls back to the drop rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from scheduler.domain.eligibility import Reason, Refusal
from scheduler.enums import SignupStatus

# On the shift: a seat or a place on its waitlist.
HOLDING = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)


def may_see_hearing(statuses: Iterable[SignupStatus]) -> bool:
    """A volunteer sees a hearing's page while they hold a seat or a waitlist place on it.

    ``statuses`` are this person's rows on the hearing's shifts. Anyone else is told nothing,
    not even that the hearing exists; open seats show only court, time, role and language.
    """
    return any(status in HOLDING for status in statuses)


def sees_seat_details(status: SignupStatus, *, hearing_cancelled: bool = False) -> bool:
    """The meeting point, the notes for volunteers and the team are for confirmed seats only.

    Someone on the waitlist is not on the team yet (and may never be); someone who dropped
    or was removed no longer is; and a cancelled hearing has no team to meet. Pages, feeds,
    downloads and emails all ask this (a message about a cancellation goes to the people who
    were seated: they ask without ``hearing_cancelled``).
    """
    return status == SignupStatus.CONFIRMED and not hearing_cancelled


# Refusals a coordinator may override (with a reason). Approval and cancellation are not:
# a suspended person must never be sent to court, and a cancelled hearing has no seats.
OVERRIDABLE = frozenset(
    {
        Reason.NO_SHARED_LANGUAGE,
        Reason.NO_CAR,
        Reason.MISSING_TRAINING,
        Reason.OVERLAP,
        Reason.TRAVEL_BUFFER,
        Reason.WEEKLY_CAP,
        Reason.STARTED,
        Reason.CLOSED,
    }
)


class ClaimOutcome(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    FULL = "full"  # no seat left and the volunteer did not ask for the waitlist
    REFUSED = "refused"
    ALREADY = "already"  # the volunteer already holds or waits for this seat


class DropError(Exception):
    """Why a drop cannot go ahead; ``code`` is turned into a message by the view."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class ReasonRequired(DropError):
    def __init__(self) -> None:
        super().__init__("reason_required")


class AlreadyStarted(DropError):
    def __init__(self) -> None:
        super().__init__("started")


def decide_claim(
    *, refusals: Sequence[Refusal], confirmed: int, capacity: int, join_waitlist: bool
) -> ClaimOutcome:
    """A seat if one is free, the waitlist if asked for, else why not.

    An ineligible person is refused even a waitlist place: a place they could never be
    promoted from would only mislead them.
    """
    if refusals:
        return ClaimOutcome.REFUSED
    if confirmed < capacity:
        return ClaimOutcome.CONFIRMED
    return ClaimOutcome.WAITLISTED if join_waitlist else ClaimOutcome.FULL


def drop_deadline(*, starts_at: datetime, cutoff: timedelta) -> datetime:
    """Until this instant a seat can be given up freely."""
    return starts_at - cutoff


def is_late_drop(*, starts_at: datetime, now: datetime, cutoff: timedelta) -> bool:
    return now >= drop_deadline(starts_at=starts_at, cutoff=cutoff)


def check_drop(
    *, starts_at: datetime, now: datetime, cutoff: timedelta, reason: str, confirmed: bool
) -> bool:
    """Whether the drop is late; raises when it may not happen as asked.

    Leaving a waitlist is always free. Giving up a seat after the cutoff needs a reason,
    because coordinators must now find someone at short notice. Nobody drops a shift that
    has already started: the coordinator records attendance instead.
    """
    if now >= starts_at:
        raise AlreadyStarted()
    if not confirmed:
        return False
    late = is_late_drop(starts_at=starts_at, now=now, cutoff=cutoff)
    if late and not reason.strip():
        raise ReasonRequired()
    return late


@dataclass(frozen=True, slots=True)
class WaitlistEntry:
    signup_id: int
    user_id: int
    waitlisted_at: datetime


def waitlist_order(entries: Iterable[WaitlistEntry]) -> list[WaitlistEntry]:
    """First come, first served; the id breaks ties between the same instant."""
    return sorted(entries, key=lambda e: (e.waitlisted_at, e.signup_id))


def next_in_line(
    *, entries: Iterable[WaitlistEntry], refusals_for: Callable[[WaitlistEntry], Sequence[Refusal]]
) -> WaitlistEntry | None:
    """The first person on the waitlist who may still take the seat.

    People who no longer fit (they took another seat at the same time, were suspended, hit
    their weekly cap) are skipped but keep their place for the next free seat.
    """
    for entry in waitlist_order(entries):
        if not refusals_for(entry):
            return entry
    return None


def may_offer_handover(*, starts_at: datetime, now: datetime, cutoff: timedelta) -> bool:
    """Offers are made before the cutoff; after it the drop rules (with a reason) apply."""
    return not is_late_drop(starts_at=starts_at, now=now, cutoff=cutoff)


def handover_expired(*, starts_at: datetime, now: datetime, cutoff: timedelta) -> bool:
    """An offer nobody took by the cutoff becomes a drop, so coordinators hear of it in time."""
    return is_late_drop(starts_at=starts_at, now=now, cutoff=cutoff)


def not_overridable(refusals: Iterable[Refusal]) -> list[Refusal]:
    return [r for r in refusals if r.reason not in OVERRIDABLE]
