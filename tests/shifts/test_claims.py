"""Claiming through the service: each rule alone, capacity, waitlist, drops and hand-overs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from scheduler.domain.claims import ClaimOutcome, ReasonRequired
from scheduler.domain.eligibility import Reason, Rules
from scheduler.enums import HearingStatus, Role, ShiftRole, SignupStatus, UserStatus
from scheduler.extensions import db
from scheduler.models import Signup
from scheduler.shifts import claims as shifts
from scheduler.shifts import commitments, handover, locking
from scheduler.shifts.facts import rules_from_config
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_signup, make_user

RULES = Rules()
CUTOFF = timedelta(hours=24)


def claim(user, shift, *, now=None, rules=RULES, waitlist=False):
    return shifts.claim_shift(
        db.session, actor=user, shift_id=shift.id, now=now or utcnow(), rules=rules, join_waitlist=waitlist
    )


def refused(result) -> set[Reason]:
    assert result.outcome == ClaimOutcome.REFUSED
    return {r.reason for r in result.refusals}


def seat(role=ShiftRole.ACCOMPANIER, capacity=2, **kw):
    hearing = make_hearing(seats={role: capacity}, **kw)
    return hearing.shifts[0]


def test_claim_gives_a_seat_and_records_it(app):
    shift, user = seat(), make_user()
    result = claim(user, shift)
    assert result.outcome == ClaimOutcome.CONFIRMED
    row = db.session.scalar(select(Signup).where(Signup.user_id == user.id))
    assert row.status == SignupStatus.CONFIRMED and row.seen_status == SignupStatus.CONFIRMED


def test_interpreter_needs_one_of_the_hearing_languages(app):
    shift = seat(ShiftRole.INTERPRETER, languages=("mam", "es"))
    assert refused(claim(make_user(languages=("pt",)), shift)) == {Reason.NO_SHARED_LANGUAGE}
    assert claim(make_user(languages=("es",)), shift).outcome == ClaimOutcome.CONFIRMED


def test_driver_needs_a_car(app):
    shift = seat(ShiftRole.DRIVER)
    assert refused(claim(make_user(), shift)) == {Reason.NO_CAR}
    assert claim(make_user(has_car=True), shift).outcome == ClaimOutcome.CONFIRMED


def test_configured_training_is_required(app):
    rules = rules_from_config({"REQUIRED_TRAININGS": {"observer": ["court_accompaniment"]}})
    assert refused(claim(make_user(), seat(ShiftRole.OBSERVER), rules=rules)) == {Reason.MISSING_TRAINING}


def test_overlap_with_another_confirmed_seat_is_refused(app):
    court = make_court()
    start = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    first = seat(court=court, starts_at=start)
    second = seat(court=court, starts_at=start + timedelta(minutes=30))
    user = make_user()
    assert claim(user, first).outcome == ClaimOutcome.CONFIRMED
    assert refused(claim(user, second)) == {Reason.OVERLAP}


def test_travel_buffer_between_courts_and_none_at_the_same_court(app):
    start = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    here, there = make_court(), make_court()
    first = seat(court=here, starts_at=start, duration_minutes=60)  # seat ends at start + 60 min
    # Accompaniers arrive 45 minutes early: this seat starts 30 minutes after the first ends.
    near_same_court = seat(court=here, starts_at=start + timedelta(minutes=60 + 30 + 45))
    near_other_court = seat(court=there, starts_at=start + timedelta(minutes=60 + 30 + 45))
    user = make_user()
    assert claim(user, first).outcome == ClaimOutcome.CONFIRMED
    assert refused(claim(user, near_other_court)) == {Reason.TRAVEL_BUFFER}
    assert claim(user, near_same_court).outcome == ClaimOutcome.CONFIRMED
    no_buffer = Rules(travel_buffer=timedelta(0))
    other_user = make_user()
    claim(other_user, first)
    assert claim(other_user, near_other_court, rules=no_buffer).outcome == ClaimOutcome.CONFIRMED


def test_weekly_cap(app):
    start = (utcnow() + timedelta(days=14)).replace(hour=15, minute=0, second=0, microsecond=0)
    monday = start - timedelta(days=start.weekday())
    user = make_user(max_shifts_per_week=1)
    assert claim(user, seat(starts_at=monday)).outcome == ClaimOutcome.CONFIRMED
    result = claim(user, seat(starts_at=monday + timedelta(days=2)))
    assert refused(result) == {Reason.WEEKLY_CAP}
    assert result.refusals[0].limit == 1


def test_started_shift_cannot_be_claimed(app):
    shift = seat()
    assert refused(claim(make_user(), shift, now=shift.starts_at)) == {Reason.STARTED}


def test_cancelled_hearing_cannot_be_claimed(app):
    assert refused(claim(make_user(), seat(status=HearingStatus.CANCELLED))) == {Reason.CANCELLED}


def test_suspended_volunteer_cannot_claim(app):
    assert refused(claim(make_user(status=UserStatus.SUSPENDED), seat())) == {Reason.NOT_APPROVED}


def test_full_shift_offers_the_waitlist_and_claiming_twice_changes_nothing(app):
    shift = seat(capacity=1)
    first, second = make_user(), make_user()
    assert claim(first, shift).outcome == ClaimOutcome.CONFIRMED
    assert claim(second, shift).outcome == ClaimOutcome.FULL
    assert claim(second, shift, waitlist=True).outcome == ClaimOutcome.WAITLISTED
    assert claim(first, shift).outcome == ClaimOutcome.ALREADY
    assert len(db.session.scalars(select(Signup).where(Signup.shift_id == shift.id)).all()) == 2


def test_reclaiming_after_a_drop_reuses_the_row(app):
    shift, user = seat(), make_user()
    first = claim(user, shift).signup
    drop(user, shift)
    again = claim(user, shift)
    assert again.outcome == ClaimOutcome.CONFIRMED and again.signup.id == first.id


def drop(user, shift, *, now=None, reason=""):
    return shifts.drop_shift(
        db.session,
        actor=user,
        shift_id=shift.id,
        now=now or utcnow(),
        cutoff=CUTOFF,
        reason=reason,
        rules=RULES,
    )


def test_freed_seat_goes_to_the_first_eligible_person_on_the_waitlist(app):
    shift = seat(capacity=1)
    holder = make_user()
    make_signup(shift=shift, user=holder)
    now = utcnow()
    first = make_user(status=UserStatus.SUSPENDED)  # first in line, but no longer eligible
    second, third = make_user(), make_user()
    for offset, person in ((3, first), (2, second), (1, third)):
        make_signup(
            shift=shift,
            user=person,
            status=SignupStatus.WAITLISTED,
            waitlisted_at=now - timedelta(hours=offset),
            seen_status=SignupStatus.WAITLISTED,  # as after claiming it themselves
        )
    result = drop(holder, shift)
    assert result.promoted is not None and result.promoted.user_id == second.id
    statuses = {s.user_id: s.status for s in shift.signups}
    assert statuses[first.id] == SignupStatus.WAITLISTED
    assert statuses[third.id] == SignupStatus.WAITLISTED
    view = commitments.my_commitments(db.session, user=second, now=utcnow())
    assert view.upcoming[0].changes == ["promoted"]


def test_late_drop_needs_a_reason_and_alerts_coordinators(app):
    shift = seat(starts_at=(utcnow() + timedelta(hours=5)).replace(microsecond=0))
    user = make_user()
    make_signup(shift=shift, user=user)
    with pytest.raises(ReasonRequired):
        drop(user, shift)
    result = drop(user, shift, reason="My child is sick")
    assert result.late and result.signup.dropped_late and result.signup.drop_reason == "My child is sick"
    coordinator = make_user(role=Role.COORDINATOR)
    alerts = commitments.late_drop_alerts(db.session, user=coordinator)
    assert [a.signup.id for a in alerts] == [result.signup.id]


def test_drop_before_the_cutoff_is_free_and_not_alerted(app):
    shift, user = seat(), make_user()
    make_signup(shift=shift, user=user)
    result = drop(user, shift)
    assert not result.late
    assert commitments.late_drop_alerts(db.session, user=make_user(role=Role.COORDINATOR)) == []


def test_handover_moves_the_seat_in_one_step(app):
    shift = seat(capacity=1)
    giver, taker = make_user(), make_user()
    make_signup(shift=shift, user=giver)
    now = utcnow()
    handover.offer_handover(db.session, actor=giver, shift_id=shift.id, now=now, cutoff=CUTOFF)
    new, old = handover.take_handover(
        db.session, actor=taker, shift_id=shift.id, now=now, cutoff=CUTOFF, rules=RULES
    )
    assert new.user_id == taker.id and new.status == SignupStatus.CONFIRMED
    assert old.user_id == giver.id and old.status == SignupStatus.DROPPED and not old.dropped_late
    assert locking.count_confirmed(db.session, shift.id) == 1


def test_an_ineligible_volunteer_cannot_take_a_handover(app):
    shift = seat(ShiftRole.DRIVER, capacity=1)
    giver = make_user(has_car=True)
    make_signup(shift=shift, user=giver)
    now = utcnow()
    handover.offer_handover(db.session, actor=giver, shift_id=shift.id, now=now, cutoff=CUTOFF)
    with pytest.raises(shifts.Refused) as caught:
        handover.take_handover(
            db.session, actor=make_user(), shift_id=shift.id, now=now, cutoff=CUTOFF, rules=RULES
        )
    assert {r.reason for r in caught.value.refusals} == {Reason.NO_CAR}


def test_unclaimed_handover_falls_back_to_a_late_drop_at_the_cutoff(app):
    shift = seat(capacity=1, starts_at=(utcnow() + timedelta(days=3)).replace(microsecond=0))
    giver, waiting = make_user(), make_user()
    make_signup(shift=shift, user=giver)
    make_signup(shift=shift, user=waiting, status=SignupStatus.WAITLISTED, waitlisted_at=utcnow())
    handover.offer_handover(db.session, actor=giver, shift_id=shift.id, now=utcnow(), cutoff=CUTOFF)
    assert handover.expire_handover_offers(db.session, now=utcnow(), cutoff=CUTOFF) == []
    at_cutoff = shift.starts_at - CUTOFF
    expired = handover.expire_handover_offers(db.session, now=at_cutoff, cutoff=CUTOFF)
    assert len(expired) == 1
    assert expired[0].signup.status == SignupStatus.DROPPED and expired[0].signup.dropped_late
    assert expired[0].promoted is not None and expired[0].promoted.user_id == waiting.id
