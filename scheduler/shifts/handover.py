"""Handing a seat over: offer it, withdraw the offer, take it, and expire offers nobody took.

Split from scheduler/shifts/claims.py; every change to who holds a seat still starts by locking
the shift (``locking.lock_shift``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import audit, events
from scheduler.domain.claims import DropError, handover_expired, may_offer_handover
from scheduler.domain.eligibility import Rules
from scheduler.enums import SignupStatus
from scheduler.errors import ServiceError
from scheduler.models import Shift, Signup, User
from scheduler.shifts.claims import (
    NotHolding,
    Refused,
    ShiftMissing,
    locked_claim,
    promote_from_waitlist,
    refusals_for,
    release,
    take_seat,
)
from scheduler.shifts.locking import lock_shift, own_signup
from scheduler.shifts.queries import is_filled_seat


def offer_handover(
    session: Session, *, actor: User, shift_id: int, now: datetime, cutoff: timedelta
) -> Signup:
    """Offer one's seat to another volunteer; it stays one's own until someone takes it."""
    shift = lock_shift(session, shift_id)
    if shift is None:
        raise ShiftMissing()
    signup = own_signup(session, shift_id=shift.id, user_id=actor.id)
    if signup is None or signup.status != SignupStatus.CONFIRMED:
        raise NotHolding()
    if not may_offer_handover(starts_at=shift.starts_at, now=now, cutoff=cutoff):
        raise DropError("too_late_to_offer")
    signup.handover_offered_at = now
    session.flush()
    audit.record(
        session, actor=actor, action="signup.handover_offered", object_type="shift", object_id=shift.id
    )
    return signup


def withdraw_handover(session: Session, *, actor: User, shift_id: int) -> Signup:
    signup = own_signup(session, shift_id=shift_id, user_id=actor.id)
    if signup is None or signup.status != SignupStatus.CONFIRMED or signup.handover_offered_at is None:
        raise NotHolding()
    signup.handover_offered_at = None
    session.flush()
    return signup


def open_offer(session: Session, *, shift_id: int, except_user_id: int | None = None) -> Signup | None:
    query = select(Signup).where(
        Signup.shift_id == shift_id,
        is_filled_seat(),
        Signup.handover_offered_at.is_not(None),
    )
    if except_user_id is not None:
        query = query.where(Signup.user_id != except_user_id)
    return session.scalar(query.order_by(Signup.handover_offered_at, Signup.id).limit(1))


def take_handover(
    session: Session, *, actor: User, shift_id: int, now: datetime, cutoff: timedelta, rules: Rules
) -> tuple[Signup, Signup]:
    """Take a seat someone offered, in one step: they are dropped, the taker seated, capacity unchanged."""
    claim = locked_claim(session, shift_id=shift_id, user_id=actor.id, person=True)
    shift, existing = claim.shift, claim.own
    giver = open_offer(session, shift_id=shift.id, except_user_id=actor.id)
    if giver is None or handover_expired(starts_at=shift.starts_at, now=now, cutoff=cutoff):
        raise ServiceError("no_offer")
    if existing is not None and existing.status == SignupStatus.CONFIRMED:
        raise ServiceError("already_held")
    refusals = refusals_for(session, user_id=actor.id, shift=shift, now=now, rules=rules)
    if refusals:
        raise Refused(refusals)
    release(giver, status=SignupStatus.DROPPED, now=now)  # flushed with the taker's seat: one flush
    taker = take_seat(
        session, shift=shift, user_id=actor.id, existing=existing, status=SignupStatus.CONFIRMED, now=now
    )
    audit.record(
        session,
        actor=actor,
        action="signup.handover_taken",
        object_type="shift",
        object_id=shift.id,
        details={"from_user_id": giver.user_id},
    )
    return taker, giver


@dataclass(frozen=True, slots=True)
class ExpiredOffer:
    signup: Signup
    promoted: Signup | None


def expire_handover_offers(
    session: Session, *, now: datetime, cutoff: timedelta, rules: Rules | None = None
) -> list[ExpiredOffer]:
    """Offers nobody took by the cutoff fall back to the drop rules: a late drop, seen by coordinators.

    Run by the worker every minute (scheduler/notifications/worker.py). The offer stays recorded on the
    dropped row (``handover_offered_at``), so pages can say why the seat was given up.
    """
    rows = session.execute(
        select(Signup.id, Signup.shift_id)
        .join(Shift, Signup.shift_id == Shift.id)
        .where(
            is_filled_seat(),
            Signup.handover_offered_at.is_not(None),
            Shift.starts_at > now,
            Shift.starts_at <= now + cutoff,
        )
        .order_by(Signup.shift_id, Signup.id)
    ).all()
    expired = []
    for signup_id, shift_id in rows:
        shift = lock_shift(session, shift_id)
        signup = session.get(Signup, signup_id, populate_existing=True)
        if shift is None or signup is None or signup.status != SignupStatus.CONFIRMED:
            continue
        if signup.handover_offered_at is None:
            continue
        release(signup, status=SignupStatus.DROPPED, now=now, late=True)
        session.flush()
        promoted = promote_from_waitlist(session, shift=shift, now=now, rules=rules)
        audit.record(
            session, actor=None, action="signup.handover_expired", object_type="shift", object_id=shift.id
        )
        events.record(session, events.LateDropped(signup_id=signup.id))
        expired.append(ExpiredOffer(signup, promoted))
    return expired
