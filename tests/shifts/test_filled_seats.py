"""`shifts.filled_seats` always equals the shift's confirmed signups, however they changed.

The summaries (dashboard week, month calendar, open-seat lists, recommendations, digest) read
the stored count (issue 18 item 1), so a count that drifted would show a gap that is not there
or hide one that is: a hearing nobody goes to. Every kind of change to a signup is made here,
through the services where one exists and directly where the app changes rows without one
(deletion cascades), on both databases, and the stored count is compared with a fresh count
after each.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from scheduler.domain.eligibility import Rules
from scheduler.enums import Role, ShiftRole, SignupStatus
from scheduler.extensions import db
from scheduler.models import Hearing, Shift, Signup, User
from scheduler.shifts import claims, handover, roster
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_signup, make_user

RULES = Rules()


def drift() -> dict[int, tuple[int, int]]:
    """Shifts whose stored count differs from their confirmed signups: id -> (stored, counted)."""
    db.session.flush()
    counted = (
        select(func.count())
        .select_from(Signup)
        .where(Signup.shift_id == Shift.id, Signup.status == SignupStatus.CONFIRMED)
        .scalar_subquery()
    )
    rows = db.session.execute(select(Shift.id, Shift.filled_seats, counted)).all()
    return {shift_id: (stored, real) for shift_id, stored, real in rows if stored != real}


def stored(shift_id: int) -> int:
    db.session.flush()
    return db.session.scalar(select(Shift.filled_seats).where(Shift.id == shift_id)) or 0


def test_direct_changes_keep_the_count(app):
    one, two = make_hearing(seats={ShiftRole.ACCOMPANIER: 3}), make_hearing(seats={ShiftRole.ACCOMPANIER: 3})
    a, b = one.shifts[0], two.shifts[0]
    people = [make_user() for _ in range(4)]
    seated = make_signup(shift=a, user=people[0])
    waiting = make_signup(shift=a, user=people[1], status=SignupStatus.WAITLISTED)
    make_signup(shift=a, user=people[2])
    assert (stored(a.id), stored(b.id)) == (2, 0)

    waiting.status = SignupStatus.CONFIRMED  # promoted
    assert stored(a.id) == 3
    seated.status = SignupStatus.DROPPED
    assert stored(a.id) == 2
    seated.status = SignupStatus.CONFIRMED  # a re-claim reuses the row
    assert stored(a.id) == 3
    seated.team_lead = True  # other columns leave it alone
    assert stored(a.id) == 3
    waiting.shift_id = b.id  # a row moved to another shift takes its seat along
    assert (stored(a.id), stored(b.id)) == (2, 1)
    db.session.delete(waiting)
    assert stored(b.id) == 0
    assert drift() == {}


def test_deletions_cascading_from_people_and_hearings_keep_the_count(app):
    hearing = make_hearing(seats={ShiftRole.ACCOMPANIER: 3})
    shift = hearing.shifts[0]
    leaving, staying = make_user(), make_user()
    make_signup(shift=shift, user=leaving)
    make_signup(shift=shift, user=staying)
    other = make_hearing()
    make_signup(shift=other.shifts[0], user=leaving)
    db.session.commit()
    # The database's own ON DELETE CASCADE, as an admin's removal or erasure runs it.
    db.session.execute(User.__table__.delete().where(User.__table__.c.id == leaving.id))
    db.session.expire_all()
    assert stored(shift.id) == 1
    assert drift() == {}
    db.session.execute(Hearing.__table__.delete().where(Hearing.__table__.c.id == other.id))
    assert drift() == {}


def test_every_service_path_keeps_the_count(app):
    now = utcnow()
    court = make_court()
    coordinator = make_user(role=Role.COORDINATOR, courts=(court,))
    hearing = make_hearing(court=court, seats={ShiftRole.ACCOMPANIER: 2}, starts_at=now + timedelta(days=10))
    shift_id = hearing.shifts[0].id
    people = [make_user(roles=(ShiftRole.ACCOMPANIER,), languages=("es",)) for _ in range(5)]
    db.session.commit()

    def claim(person: User, *, waitlist: bool = False) -> None:
        claims.claim_shift(
            db.session, actor=person, shift_id=shift_id, now=now, rules=RULES, join_waitlist=waitlist
        )

    claim(people[0])
    claim(people[1])
    claim(people[2], waitlist=True)
    assert stored(shift_id) == 2
    claims.drop_shift(
        db.session,
        actor=people[0],
        shift_id=shift_id,
        now=now,
        cutoff=timedelta(hours=48),
        reason="",
        rules=RULES,
    )  # people[2] moves up from the waitlist
    assert stored(shift_id) == 2
    assert drift() == {}
    handover.offer_handover(
        db.session, actor=people[1], shift_id=shift_id, now=now, cutoff=timedelta(hours=48)
    )
    handover.take_handover(
        db.session, actor=people[3], shift_id=shift_id, now=now, cutoff=timedelta(hours=48), rules=RULES
    )
    assert stored(shift_id) == 2
    assert drift() == {}
    roster.set_capacity(db.session, actor=coordinator, shift_id=shift_id, capacity=3, now=now, rules=RULES)
    roster.assign_volunteer(
        db.session, actor=coordinator, shift_id=shift_id, user_id=people[4].id, now=now, rules=RULES
    )
    assert stored(shift_id) == 3
    roster.remove_volunteer(
        db.session, actor=coordinator, shift_id=shift_id, user_id=people[4].id, now=now, rules=RULES
    )
    assert stored(shift_id) == 2
    db.session.commit()
    assert drift() == {}
