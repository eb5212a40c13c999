"""Claiming and dropping seats, safely under concurrent requests (hand-overs: shifts/handover.py).

Every change to who holds a seat starts by locking the shift (``locking.lock_shift``), then counts
and decides. Two claims for the last seat, even from different worker processes, therefore queue
instead of both seeing a free seat. The unique (shift_id, user_id) constraint is the last line
of defence against a double signup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler import audit, events
from scheduler.domain.claims import (
    HOLDING,
    ClaimOutcome,
    WaitlistEntry,
    check_drop,
    decide_claim,
    next_in_line,
)
from scheduler.domain.eligibility import Refusal, Rules, claim_refusals
from scheduler.enums import HearingStatus, SignupStatus
from scheduler.errors import ServiceError
from scheduler.models import Shift, Signup, User
from scheduler.shifts.facts import load_claimants, seat_facts
from scheduler.shifts.locking import LoadedClaim, count_confirmed, load_claim, lock_rows


class ShiftMissing(ServiceError):
    def __init__(self) -> None:
        super().__init__("not_found")


class NotHolding(ServiceError):
    def __init__(self) -> None:
        super().__init__("not_holding")


class Refused(ServiceError):
    """The rules say no; ``refusals`` says why, one reason each."""

    def __init__(self, refusals: list[Refusal], code: str = "refused") -> None:
        super().__init__(code)
        self.refusals = refusals


@dataclass(slots=True)
class ClaimResult:
    outcome: ClaimOutcome
    signup: Signup | None = None
    refusals: list[Refusal] = field(default_factory=list)


@dataclass(slots=True)
class DropResult:
    signup: Signup
    late: bool
    # Who got the freed seat (a WaitlistPromoted event tells them), if anyone.
    promoted: Signup | None


def locked_claim(session: Session, *, shift_id: int, user_id: int, person: bool) -> LoadedClaim:
    """Lock (the shift, and the person when their rules are checked), then load; or ShiftMissing."""
    if not lock_rows(session, shift_id, person_id=user_id if person else None):
        raise ShiftMissing()
    claim = load_claim(session, shift_id=shift_id, user_id=user_id)
    if claim is None:
        raise ShiftMissing()
    return claim


def refusals_for(
    session: Session, *, user_id: int, shift: Shift, now: datetime, rules: Rules
) -> list[Refusal]:
    """Why the person may not take a seat on the shift (empty: they may); one statement."""
    claimant = load_claimants(session, user_ids=[user_id], around=(shift.starts_at, shift.ends_at))
    return claim_refusals(
        volunteer=claimant[user_id].volunteer,
        seat=seat_facts(shift),
        commitments=claimant[user_id].commitments,
        now=now,
        rules=rules,
    )


def take_seat(
    session: Session,
    *,
    shift: Shift,
    user_id: int,
    existing: Signup | None,
    status: SignupStatus,
    now: datetime,
) -> Signup:
    """Seat or waitlist a person, reusing their old row after a drop (one row per person and shift)."""
    signup = existing or Signup(shift_id=shift.id, user_id=user_id)
    signup.status = status
    signup.status_changed_at = now
    signup.waitlisted_at = now if status == SignupStatus.WAITLISTED else None
    signup.handover_offered_at = None
    signup.drop_reason = ""
    signup.dropped_late = False
    signup.attendance = None
    signup.assigned_by_id = None
    signup.override_reason = ""
    signup.team_lead = False
    # The volunteer knows about a seat they took themselves: nothing to highlight as changed.
    signup.seen_status = status
    signup.seen_version = shift.hearing.version
    signup.seen_starts_at = shift.starts_at
    signup.seen_court_id = shift.hearing.court_id
    if existing is None:
        session.add(signup)
    try:
        session.flush()
    except IntegrityError as exc:  # a second request for the same person slipped past the lock
        raise ServiceError("already_held") from exc
    return signup


def claim_shift(
    session: Session, *, actor: User, shift_id: int, now: datetime, rules: Rules, join_waitlist: bool = False
) -> ClaimResult:
    """One press: a seat if one is free and the rules allow it, else the waitlist or the reasons."""
    claim = locked_claim(session, shift_id=shift_id, user_id=actor.id, person=True)
    shift, existing = claim.shift, claim.own
    if existing is not None and existing.status in HOLDING:
        return ClaimResult(ClaimOutcome.ALREADY, existing)
    refusals = refusals_for(session, user_id=actor.id, shift=shift, now=now, rules=rules)
    outcome = decide_claim(
        refusals=refusals,
        confirmed=claim.filled,
        capacity=shift.capacity,
        join_waitlist=join_waitlist,
    )
    if outcome not in (ClaimOutcome.CONFIRMED, ClaimOutcome.WAITLISTED):
        return ClaimResult(outcome, existing, refusals)
    status = SignupStatus(outcome.value)
    signup = take_seat(session, shift=shift, user_id=actor.id, existing=existing, status=status, now=now)
    audit.record(
        session, actor=actor, action=f"signup.{status.value}", object_type="shift", object_id=shift.id
    )
    return ClaimResult(outcome, signup)


def release(
    signup: Signup, *, status: SignupStatus, now: datetime, reason: str = "", late: bool = False
) -> None:
    signup.status = status
    signup.status_changed_at = now
    signup.drop_reason = reason.strip()
    signup.dropped_late = late
    signup.team_lead = False


def drop_shift(
    session: Session,
    *,
    actor: User,
    shift_id: int,
    now: datetime,
    cutoff: timedelta,
    reason: str,
    rules: Rules,
) -> DropResult:
    """Give up a seat (or a waitlist place); a freed seat goes to the waitlist at once."""
    claim = locked_claim(session, shift_id=shift_id, user_id=actor.id, person=False)
    shift, signup = claim.shift, claim.own
    if signup is None or signup.status not in HOLDING:
        raise NotHolding()
    was_confirmed = signup.status == SignupStatus.CONFIRMED
    if shift.hearing.status == HearingStatus.CANCELLED:
        late = False
    else:
        late = check_drop(
            starts_at=shift.starts_at, now=now, cutoff=cutoff, reason=reason, confirmed=was_confirmed
        )
    release(signup, status=SignupStatus.DROPPED, now=now, reason=reason if late else "", late=late)
    session.flush()
    promoted = (
        promote_from_waitlist(session, shift=shift, now=now, rules=rules, filled=claim.filled - 1)
        if was_confirmed
        else None
    )
    audit.record(
        session,
        actor=actor,
        action="signup.dropped",
        object_type="shift",
        object_id=shift.id,
        details={"late": late, "was": "confirmed" if was_confirmed else "waitlisted"},
    )
    if late:
        events.record(session, events.LateDropped(signup_id=signup.id))
    return DropResult(signup, late, promoted)


def promote_from_waitlist(
    session: Session, *, shift: Shift, now: datetime, rules: Rules | None = None, filled: int | None = None
) -> Signup | None:
    """Give one free seat to the first waitlisted person who still passes the claim rules.

    Call with the shift locked (``locking.lock_shift``), in the transaction that freed the seat.
    People who no longer fit are skipped and stay on the waitlist. Returns the promoted signup
    (to notify) or None. ``filled``: the seats held, when the caller knows it under the lock.
    """
    rules = rules or Rules()
    if (count_confirmed(session, shift.id) if filled is None else filled) >= shift.capacity:
        return None
    waiting = list(
        session.scalars(
            select(Signup).where(Signup.shift_id == shift.id, Signup.status == SignupStatus.WAITLISTED)
        )
    )
    if not waiting:
        return None
    seat = seat_facts(shift)
    people = load_claimants(
        session, user_ids=[w.user_id for w in waiting], around=(shift.starts_at, shift.ends_at)
    )
    by_id = {w.id: w for w in waiting}
    entries = [WaitlistEntry(w.id, w.user_id, w.waitlisted_at or w.created_at) for w in waiting]
    chosen = next_in_line(
        entries=entries,
        refusals_for=lambda e: claim_refusals(
            volunteer=people[e.user_id].volunteer,
            seat=seat,
            commitments=people[e.user_id].commitments,
            now=now,
            rules=rules,
        ),
    )
    if chosen is None:
        return None
    signup = by_id[chosen.signup_id]
    signup.status = SignupStatus.CONFIRMED
    signup.status_changed_at = now
    session.flush()
    audit.record(
        session,
        actor=None,
        action="signup.promoted",
        object_type="shift",
        object_id=shift.id,
        details={"user_id": signup.user_id},
    )
    events.record(session, events.WaitlistPromoted(signup_id=signup.id))  # same transaction
    return signup


def fill_from_waitlist(
    session: Session, *, shift: Shift, now: datetime, rules: Rules | None = None
) -> list[Signup]:
    """Promote until the seats are full or nobody eligible waits (e.g. after a capacity raise)."""
    promoted = []
    while (signup := promote_from_waitlist(session, shift=shift, now=now, rules=rules)) is not None:
        promoted.append(signup)
    return promoted
