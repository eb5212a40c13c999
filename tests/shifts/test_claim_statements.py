"""A claim, a waitlisted claim and a drop each run a small fixed number of SQL statements.

Issue 18 item 4: at most 10 per claim (21 before, 22 on PostgreSQL). Counted from the service
call to its commit, with the person already signed in (their row loaded), on real commits so
that SQLite runs as in production. What the statements are is printed when a count fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from scheduler.domain.claims import ClaimOutcome
from scheduler.domain.eligibility import Commitment, Rules
from scheduler.enums import HearingStatus, ShiftRole, SignupStatus, UserStatus
from scheduler.extensions import db
from scheduler.models import User, VolunteerTraining
from scheduler.shifts import claims as shifts
from scheduler.shifts.facts import load_claimants, load_commitments, load_volunteers
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_signup, make_user

pytestmark = pytest.mark.committed

BUDGET = 10


@contextmanager
def counted() -> Iterator[list[str]]:
    statements: list[str] = []

    def listen(_conn, _cursor, statement, _params, _context, _many) -> None:
        statements.append(" ".join(statement.split())[:160])

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)


def _seed(*, capacity: int, holders: int, waiting: int = 0):
    """A two-language hearing with seats held by others, and a claimant with a nearby seat and a profile."""
    start = (utcnow() + timedelta(days=4)).replace(microsecond=0)
    hearing = make_hearing(seats={ShiftRole.ACCOMPANIER: capacity}, starts_at=start, languages=("es", "mam"))
    shift = hearing.shifts[0]
    for _ in range(holders):
        make_signup(shift=shift, user=make_user())
    for _ in range(waiting):
        make_signup(shift=shift, user=make_user(), status=SignupStatus.WAITLISTED, waitlisted_at=utcnow())
    person = make_user(languages=("es",), roles=(ShiftRole.ACCOMPANIER,))
    nearby = make_hearing(starts_at=start + timedelta(hours=4))
    make_signup(shift=nearby.shifts[0], user=person)
    db.session.commit()
    ids = shift.id, person.id
    db.session.remove()  # a request starts with an empty session
    return ids[0], db.session.get(User, ids[1])


def _claim(shift_id: int, actor: User, *, waitlist: bool = False) -> tuple[ClaimOutcome, list[str]]:
    with counted() as statements:
        result = shifts.claim_shift(
            db.session, actor=actor, shift_id=shift_id, now=utcnow(), rules=Rules(), join_waitlist=waitlist
        )
        db.session.commit()
    return result.outcome, statements


def test_a_claim_runs_at_most_ten_statements(app):
    shift_id, actor = _seed(capacity=3, holders=1)
    outcome, statements = _claim(shift_id, actor)
    assert outcome == ClaimOutcome.CONFIRMED
    assert len(statements) <= BUDGET, "\n".join(statements)


def test_a_waitlisted_claim_runs_at_most_ten_statements(app):
    shift_id, actor = _seed(capacity=1, holders=1)
    outcome, statements = _claim(shift_id, actor, waitlist=True)
    assert outcome == ClaimOutcome.WAITLISTED
    assert len(statements) <= BUDGET, "\n".join(statements)


def test_a_drop_runs_at_most_ten_statements(app):
    shift_id, actor = _seed(capacity=2, holders=0)
    assert _claim(shift_id, actor)[0] == ClaimOutcome.CONFIRMED
    actor_id = actor.id
    db.session.remove()
    actor = db.session.get(User, actor_id)
    with counted() as statements:
        result = shifts.drop_shift(
            db.session,
            actor=actor,
            shift_id=shift_id,
            now=utcnow(),
            cutoff=timedelta(hours=24),
            reason="",
            rules=Rules(),
        )
        db.session.commit()
    assert result.signup.status == SignupStatus.DROPPED and result.promoted is None
    assert len(statements) <= BUDGET, "\n".join(statements)


def test_claimants_in_one_statement_are_the_facts_the_separate_loaders_give(app):
    """``load_claimants`` (one statement) reads what ``load_volunteers`` and ``load_commitments`` read."""
    start = (utcnow() + timedelta(days=6)).replace(microsecond=0)
    east, west = make_court(timezone="America/New_York"), make_court(timezone="America/Los_Angeles")
    full = make_user(languages=("es", "mam"), roles=(ShiftRole.DRIVER, ShiftRole.INTERPRETER), has_car=True)
    full.profile.max_shifts_per_week = 3
    full.profile.trainings = [VolunteerTraining(training="driver_safety", completed_on=date(2026, 1, 5))]
    full.profile.preferred_courts = [east, west]
    pending = make_user(status=UserStatus.PENDING)
    bare = make_user()
    bare.profile = None
    db.session.flush()
    for court, hours in ((east, 2), (west, 30), (east, 24 * 5)):
        make_signup(
            shift=make_hearing(court=court, starts_at=start + timedelta(hours=hours)).shifts[0], user=full
        )
    cancelled = make_hearing(court=west, starts_at=start + timedelta(hours=6))
    cancelled.status = HearingStatus.CANCELLED
    make_signup(shift=cancelled.shifts[0], user=full)
    far = make_hearing(court=east, starts_at=start + timedelta(days=30))
    make_signup(shift=far.shifts[0], user=full)
    make_signup(shift=make_hearing(starts_at=start).shifts[0], user=pending, status=SignupStatus.WAITLISTED)
    db.session.commit()
    ids = [full.id, pending.id, bare.id]
    around = (start, start + timedelta(hours=1))

    with counted() as statements:
        claimants = load_claimants(db.session, user_ids=ids, around=around)
    assert len(statements) == 1
    volunteers = load_volunteers(db.session, ids)
    commitments = load_commitments(db.session, user_ids=ids, around=around)
    assert set(claimants) == set(ids)
    for user_id in ids:
        assert claimants[user_id].volunteer == volunteers[user_id]
        mine = sorted(commitments.get(user_id, []), key=_by_shift)
        assert sorted(claimants[user_id].commitments, key=_by_shift) == mine
    assert len(claimants[full.id].commitments) == 3  # not the cancelled hearing, not a month away
    assert claimants[full.id].volunteer.trainings == {"driver_safety"}
    assert claimants[bare.id].volunteer.max_shifts_per_week == 0
    assert not claimants[pending.id].volunteer.approved


def _by_shift(commitment: Commitment) -> int:
    return commitment.shift_id
