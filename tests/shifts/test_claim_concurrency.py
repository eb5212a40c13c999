"""Capacity holds when many claims arrive at once, each on its own database connection."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from scheduler import create_app
from scheduler.domain.claims import ClaimOutcome
from scheduler.domain.eligibility import Rules
from scheduler.enums import ShiftRole, SignupStatus
from scheduler.extensions import db
from scheduler.models import Signup, User
from scheduler.shifts import claims as shifts
from scheduler.types import utcnow
from tests.conftest import PG_URL, base_config
from tests.factories import make_hearing, make_signup, make_user

# Claims race in threads, each on its own connection.
pytestmark = pytest.mark.committed


def _claim_all(url: str, shift_id: int, user_ids: list[int]) -> list[ClaimOutcome | str]:
    """Every user claims at the same moment (joining the waitlist when full), each on its own connection."""
    return _claim_each(url, [(user_id, shift_id) for user_id in user_ids], join_waitlist=True)


def _rows(shift_id: int) -> list[Signup]:
    db.session.expire_all()
    return list(db.session.scalars(select(Signup).where(Signup.shift_id == shift_id)))


def _seed(people: int) -> tuple[int, list[int]]:
    hearing = make_hearing(seats={ShiftRole.ACCOMPANIER: 3})
    users = [make_user() for _ in range(people)]
    db.session.commit()
    return hearing.shifts[0].id, [u.id for u in users]


def test_fifty_concurrent_claims_fill_exactly_three_seats_on_postgresql(app, backend):
    if backend != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL; SQLite has its own test below")
    shift_id, user_ids = _seed(50)
    outcomes = Counter(_claim_all(PG_URL, shift_id, user_ids))
    assert outcomes == {ClaimOutcome.CONFIRMED: 3, ClaimOutcome.WAITLISTED: 47}
    rows = _rows(shift_id)
    assert len(rows) == 50  # nothing lost
    assert len({r.user_id for r in rows}) == 50  # nothing duplicated
    assert Counter(r.status for r in rows) == {SignupStatus.CONFIRMED: 3, SignupStatus.WAITLISTED: 47}


def test_one_person_claiming_twenty_times_at_once_gets_one_row_on_postgresql(app, backend):
    if backend != "postgresql":
        pytest.skip("PostgreSQL only")
    shift_id, (user_id,) = _seed(1)
    outcomes = Counter(_claim_all(PG_URL, shift_id, [user_id] * 20))
    assert outcomes == {ClaimOutcome.CONFIRMED: 1, ClaimOutcome.ALREADY: 19}
    assert len(_rows(shift_id)) == 1


def test_concurrent_claims_on_a_sqlite_file_fill_exactly_three_seats(tmp_path):
    url = f"sqlite:///{tmp_path / 'claims.sqlite3'}"
    app = create_app(base_config(url))
    with app.app_context():
        db.create_all()
        shift_id, user_ids = _seed(12)
        outcomes = Counter(_claim_all(url, shift_id, user_ids))
        assert outcomes == {ClaimOutcome.CONFIRMED: 3, ClaimOutcome.WAITLISTED: 9}
        rows = _rows(shift_id)
        assert len(rows) == 12 and len({r.user_id for r in rows}) == 12
        assert Counter(r.status for r in rows)[SignupStatus.CONFIRMED] == 3
        db.session.remove()
        db.engine.dispose()


def test_capacity_holds_when_seats_free_up_during_concurrent_claims_on_postgresql(app, backend):
    """Drops and claims interleave; the seats never hold more people than they have."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL only")
    hearing = make_hearing(seats={ShiftRole.ACCOMPANIER: 3}, starts_at=utcnow() + timedelta(days=5))
    holders = [make_user() for _ in range(3)]
    for person in holders:
        shifts.claim_shift(
            db.session, actor=person, shift_id=hearing.shifts[0].id, now=utcnow(), rules=Rules()
        )
    claimers = [make_user() for _ in range(20)]
    db.session.commit()
    shift_id = hearing.shifts[0].id
    engine = create_engine(PG_URL, poolclass=NullPool)
    barrier = threading.Barrier(23)

    def act(user_id: int, dropping: bool) -> None:
        # An app context, as in a request: a freed seat's promotion queues its email (notifications).
        with app.app_context(), Session(engine) as session:
            actor = session.get(User, user_id)
            barrier.wait()
            if dropping:
                shifts.drop_shift(
                    session,
                    actor=actor,
                    shift_id=shift_id,
                    now=utcnow(),
                    cutoff=timedelta(hours=24),
                    reason="",
                    rules=Rules(),
                )
            else:
                shifts.claim_shift(
                    session, actor=actor, shift_id=shift_id, now=utcnow(), rules=Rules(), join_waitlist=True
                )
            session.commit()

    jobs = [(u.id, True) for u in holders] + [(u.id, False) for u in claimers]
    try:
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            list(pool.map(lambda job: act(*job), jobs))
    finally:
        engine.dispose()
    statuses = Counter(r.status for r in _rows(shift_id))
    assert statuses[SignupStatus.CONFIRMED] == 3  # every freed seat was refilled from the waitlist
    assert statuses[SignupStatus.DROPPED] == 3
    assert statuses[SignupStatus.WAITLISTED] == 17


def _claim_each(
    url: str, claims: list[tuple[int, int]], *, join_waitlist: bool = False
) -> list[ClaimOutcome | str]:
    """Each (person, shift) claim at the same moment, each in its own session and connection."""
    engine = create_engine(url, poolclass=NullPool)
    barrier = threading.Barrier(len(claims))

    def one(claim: tuple[int, int]) -> ClaimOutcome | str:
        user_id, shift_id = claim
        with Session(engine) as session:
            actor = session.get(User, user_id)
            barrier.wait()
            try:
                result = shifts.claim_shift(
                    session,
                    actor=actor,
                    shift_id=shift_id,
                    now=utcnow(),
                    rules=Rules(),
                    join_waitlist=join_waitlist,
                )
            except Exception as exc:  # reported, then asserted on: nothing may fail silently
                session.rollback()
                return f"error: {exc.__class__.__name__}"
            session.commit()
            return result.outcome

    try:
        with ThreadPoolExecutor(max_workers=len(claims)) as pool:
            return list(pool.map(one, claims))
    finally:
        engine.dispose()


def test_one_persons_eight_clashing_claims_at_once_get_one_seat_on_postgresql(app, backend):
    """Eight hearings at the same hour: the person lock makes seven see the first seat and refuse."""
    if backend != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL")
    start = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    hearings = [make_hearing(starts_at=start + timedelta(minutes=5 * i)) for i in range(8)]
    person = make_user()
    db.session.commit()
    outcomes = _claim_each(PG_URL, [(person.id, h.shifts[0].id) for h in hearings])
    assert Counter(outcomes) == {ClaimOutcome.CONFIRMED: 1, ClaimOutcome.REFUSED: 7}
    db.session.expire_all()
    held = db.session.scalars(
        select(Signup).where(Signup.user_id == person.id, Signup.status == SignupStatus.CONFIRMED)
    ).all()
    assert len(held) == 1


def test_many_people_racing_for_the_last_seats_get_exactly_the_capacity_on_postgresql(app, backend):
    if backend != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL")
    hearing = make_hearing(seats={ShiftRole.ACCOMPANIER: 4})
    shift = hearing.shifts[0]
    for holder in [make_user() for _ in range(3)]:
        make_signup(shift=shift, user=holder)
    racers = [make_user() for _ in range(16)]
    db.session.commit()
    outcomes = _claim_each(PG_URL, [(u.id, shift.id) for u in racers])
    assert Counter(outcomes) == {ClaimOutcome.CONFIRMED: 1, ClaimOutcome.FULL: 15}
    rows = _rows(shift.id)
    assert Counter(r.status for r in rows) == {SignupStatus.CONFIRMED: 4}
    assert len({r.user_id for r in rows}) == len(rows)  # nobody twice
