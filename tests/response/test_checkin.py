"""Check-in on the day: here, late, can't make it (the seat is freed and filled), and the board."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from scheduler.domain.response import SeatState
from scheduler.enums import CheckInState, HearingStatus, Role, ShiftRole, SignupStatus
from scheduler.errors import ServiceError
from scheduler.extensions import db
from scheduler.models import Invitation, OutboxMessage, SeatCheckIn
from scheduler.response import board
from scheduler.response.checkin import CheckInSettings, check_in, todays_state
from scheduler.shifts import claims
from tests.factories import dispatch_intents, make_signup, make_user
from tests.matching_helpers import free_person
from tests.response.helpers import START, hearing_today, minutes

SETTINGS = CheckInSettings()


EARLY = START - minutes(120)


def _check_in(user, shift, state, now=EARLY):
    return check_in(db.session, actor=user, shift_id=shift.id, state=state, now=now, settings=SETTINGS)


def test_here_and_late_are_noted_and_the_latest_wins(app) -> None:
    hearing, volunteer, signup = hearing_today()
    _check_in(volunteer, hearing.shifts[0], CheckInState.LATE)
    assert db.session.get(SeatCheckIn, signup.id).state == CheckInState.LATE
    _check_in(volunteer, hearing.shifts[0], CheckInState.HERE)
    assert db.session.get(SeatCheckIn, signup.id).state == CheckInState.HERE
    assert todays_state(db.session, signup=signup, now=START) == CheckInState.HERE


def test_check_in_only_on_the_seats_day_and_before_it_ends(app) -> None:
    hearing, volunteer, signup = hearing_today()
    shift = hearing.shifts[0]
    with pytest.raises(ServiceError) as before:
        _check_in(volunteer, shift, CheckInState.HERE, now=START - timedelta(days=1))
    assert before.value.code == "not_today"
    with pytest.raises(ServiceError) as after:
        _check_in(volunteer, shift, CheckInState.HERE, now=shift.ends_at)
    assert after.value.code == "over"
    assert todays_state(db.session, signup=signup, now=START - timedelta(days=1)) is False
    assert todays_state(db.session, signup=signup, now=START) is None


def test_only_the_seats_holder_checks_in(app) -> None:
    hearing, _volunteer, _signup = hearing_today()
    with pytest.raises(claims.NotHolding):
        _check_in(make_user(), hearing.shifts[0], CheckInState.HERE)
    waiting = make_user()
    make_signup(shift=hearing.shifts[0], user=waiting, status=SignupStatus.WAITLISTED)
    with pytest.raises(claims.NotHolding):
        _check_in(waiting, hearing.shifts[0], CheckInState.HERE)


def test_a_cancelled_hearing_takes_no_check_in(app) -> None:
    hearing, volunteer, _signup = hearing_today()
    hearing.status = HearingStatus.CANCELLED
    db.session.flush()
    with pytest.raises(ServiceError) as refused:
        _check_in(volunteer, hearing.shifts[0], CheckInState.HERE)
    assert refused.value.code == "cancelled"


def test_cant_make_it_frees_the_seat_for_the_waitlist_and_tells_the_coordinators(app) -> None:
    hearing, volunteer, signup = hearing_today(seats=1)
    waiting = make_user(roles=(ShiftRole.ACCOMPANIER,), languages=("es",))
    make_signup(shift=hearing.shifts[0], user=waiting, status=SignupStatus.WAITLISTED, waitlisted_at=START)
    coordinator = make_user(role=Role.COORDINATOR, courts=(hearing.court,))
    result = _check_in(volunteer, hearing.shifts[0], CheckInState.CANT_MAKE_IT)
    assert signup.status == SignupStatus.DROPPED
    assert result.promoted is not None and result.promoted.user_id == waiting.id
    assert result.invited == 0
    dispatch_intents()
    kinds = {(m.user_id, m.kind) for m in db.session.scalars(select(OutboxMessage))}
    assert (coordinator.id, "cant_make_it") in kinds
    assert (waiting.id, "waitlist_promoted") in kinds
    with pytest.raises(claims.NotHolding):  # the seat is given up: no more check-ins on it
        _check_in(volunteer, hearing.shifts[0], CheckInState.HERE)


def test_cant_make_it_with_nobody_waiting_invites_eligible_volunteers(app) -> None:
    hearing, volunteer, _signup = hearing_today(seats=1, starts_at=START + timedelta(hours=6))
    fits = [free_person(roles=(ShiftRole.ACCOMPANIER,), languages=("es",)) for _ in range(3)]
    free_person(roles=(ShiftRole.DRIVER,))  # does not offer the role: not invited
    result = _check_in(volunteer, hearing.shifts[0], CheckInState.CANT_MAKE_IT, now=START)
    assert result.promoted is None
    invited = set(
        db.session.scalars(select(Invitation.user_id).where(Invitation.shift_id == hearing.shifts[0].id))
    )
    assert invited == {u.id for u in fits}
    assert result.invited == 3
    dispatch_intents()
    mailed = set(db.session.scalars(select(OutboxMessage.user_id).where(OutboxMessage.kind == "invitation")))
    assert mailed == invited


def test_the_board_shows_each_seats_state_in_the_coordinators_courts(app) -> None:
    hearing, volunteer, _signup = hearing_today(seats=4)
    late = make_user(roles=(ShiftRole.ACCOMPANIER,))
    quiet = make_user(roles=(ShiftRole.ACCOMPANIER,))
    gone = make_user(roles=(ShiftRole.ACCOMPANIER,))
    for person in (late, quiet, gone):
        make_signup(shift=hearing.shifts[0], user=person)
    now = START - minutes(120)
    _check_in(volunteer, hearing.shifts[0], CheckInState.HERE, now=now)
    _check_in(late, hearing.shifts[0], CheckInState.LATE, now=now)
    _check_in(gone, hearing.shifts[0], CheckInState.CANT_MAKE_IT, now=now)
    coordinator = make_user(role=Role.COORDINATOR, courts=(hearing.court,))
    elsewhere = make_user(role=Role.COORDINATOR, courts=(hearing_today()[0].court,))

    def states(at):
        rows = board.today_board(db.session, actor=coordinator, now=at)
        assert [r.hearing.id for r in rows] == [hearing.id]
        return {seat.volunteer: seat.state for seat in rows[0].seats}

    assert states(now) == {
        volunteer.display_name: SeatState.CHECKED_IN,
        late.display_name: SeatState.LATE,
        quiet.display_name: SeatState.NOT_YET,
        gone.display_name: SeatState.CANT_MAKE_IT,
    }
    assert states(START + minutes(5))[quiet.display_name] == SeatState.NO_SHOW
    assert hearing.id not in [r.hearing.id for r in board.today_board(db.session, actor=elsewhere, now=now)]
    assert board.today_board(db.session, actor=coordinator, now=START + timedelta(days=1)) == []


def test_open_incidents_of_any_day_are_listed_for_the_courts_staff(app) -> None:
    from scheduler.enums import IncidentKind
    from scheduler.models import Incident

    hearing, _volunteer, _signup = hearing_today(starts_at=START - timedelta(days=2))
    other, _v, _s = hearing_today()
    coordinator = make_user(role=Role.COORDINATOR, courts=(hearing.court,))
    for h in (hearing, other):
        db.session.add(
            Incident(
                hearing_id=h.id,
                court_id=h.court_id,
                kind=IncidentKind.OTHER,
                raised_at=START,
                tier_reached_at=START,
            )
        )
    db.session.flush()
    assert [i.hearing_id for i in board.open_incidents(db.session, actor=coordinator)] == [hearing.id]
    admin = make_user(role=Role.ADMIN)
    assert len(board.open_incidents(db.session, actor=admin)) == 2
