"""Loading matching facts from the database, suggestions, recommendations and plans."""

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from scheduler.domain.eligibility import Reason
from scheduler.enums import Attendance, HearingKind, Role, ShiftRole, SignupStatus
from scheduler.errors import PermissionDenied
from scheduler.extensions import db
from scheduler.matching import planning
from scheduler.matching.facts import MatchSettings, load_histories
from scheduler.matching.suggestions import recommended_for, suggestions_for_shift
from scheduler.models import Invitation, Signup
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_signup, make_user
from tests.matching_helpers import free_person, local_start

SETTINGS = MatchSettings()


def coordinator(**kw):
    return make_user(role=Role.COORDINATOR, **kw)


def interpreter_hearing(court=None, days=3, **kw):
    return make_hearing(
        court=court or make_court(),
        starts_at=local_start(days),
        seats={ShiftRole.INTERPRETER: 1, ShiftRole.ACCOMPANIER: 2},
        languages=("mam", "es"),
        **kw,
    )


def shift_of(hearing, role):
    return next(s for s in hearing.shifts if s.role == role)


def test_suggestions_rank_by_language_and_continuity_with_labels(app):
    court = make_court()
    hearing = interpreter_hearing(court, respondent_ref="Rosa")
    past = make_hearing(court=court, starts_at=utcnow() - timedelta(days=40), kind=HearingKind.MASTER)
    past.case_key = hearing.case_key
    mam = free_person(display_name="Mam Speaker", languages=("mam",))
    spanish = free_person(display_name="Spanish Speaker", languages=("es",))
    familiar = free_person(display_name="Familiar Face", languages=("es",))
    make_signup(shift=past.shifts[0], user=familiar, attendance=Attendance.ATTENDED)
    free_person(display_name="Portuguese Only", languages=("pt",))

    result = suggestions_for_shift(
        db.session,
        actor=coordinator(),
        shift=shift_of(hearing, ShiftRole.INTERPRETER),
        now=utcnow(),
        settings=SETTINGS,
    )
    assert [s.user.display_name for s in result.top] == ["Familiar Face", "Mam Speaker", "Spanish Speaker"]
    labels = {label.code: label for label in result.top[0].match.labels}
    assert labels["was_with"].params["ref_initial"] == "R."
    assert {label.code for label in result.top[1].match.labels} >= {"speaks"}
    why = {w.user.display_name: {r.reason for r in w.refusals} for w in result.why_not}
    assert why == {"Portuguese Only": {Reason.NO_SHARED_LANGUAGE}}
    assert mam.id and spanish.id


def test_people_already_on_the_shift_are_not_suggested(app):
    hearing = interpreter_hearing()
    shift = shift_of(hearing, ShiftRole.ACCOMPANIER)
    seated = free_person(languages=("es",))
    make_signup(shift=shift, user=seated)
    other = free_person(languages=("es",))
    result = suggestions_for_shift(
        db.session, actor=coordinator(), shift=shift, now=utcnow(), settings=SETTINGS
    )
    assert [s.user.id for s in result.top] == [other.id]
    assert result.open_places == 1


def test_a_coordinator_scoped_elsewhere_gets_no_suggestions(app):
    hearing = interpreter_hearing()
    scoped = coordinator(courts=(make_court(),))
    with pytest.raises(PermissionDenied):
        suggestions_for_shift(
            db.session, actor=scoped, shift=hearing.shifts[0], now=utcnow(), settings=SETTINGS
        )


def test_suggestions_cost_the_same_queries_for_3_or_30_people(app):
    hearing = interpreter_hearing()
    shift = shift_of(hearing, ShiftRole.ACCOMPANIER)
    actor = coordinator()

    def count_queries() -> int:
        statements = []

        def listen(*args):
            statements.append(args[2])

        engine = db.session.get_bind()
        event.listen(engine, "before_cursor_execute", listen)
        try:
            suggestions_for_shift(db.session, actor=actor, shift=shift, now=utcnow(), settings=SETTINGS)
        finally:
            event.remove(engine, "before_cursor_execute", listen)
        return len(statements)

    for _ in range(3):
        make_signup(shift=make_hearing().shifts[0], user=free_person(languages=("es",)))
    count_queries()  # the first call also loads the coordinator's courts
    few = count_queries()
    for _ in range(27):
        make_signup(shift=make_hearing().shifts[0], user=free_person(languages=("es", "mam")))
    count_queries()
    assert count_queries() == few


def test_history_counts_confirmed_seats_only(app):
    court = make_court()
    person = free_person()
    now = utcnow()
    kept = make_hearing(court=court, starts_at=now - timedelta(days=5), kind=HearingKind.INDIVIDUAL)
    dropped = make_hearing(court=court, starts_at=now - timedelta(days=6))
    no_show = make_hearing(court=court, starts_at=now - timedelta(days=50))
    make_signup(shift=kept.shifts[0], user=person, attendance=Attendance.ATTENDED)
    make_signup(shift=dropped.shifts[0], user=person, status=SignupStatus.DROPPED)
    make_signup(shift=no_show.shifts[0], user=person, attendance=Attendance.NO_SHOW)
    history = load_histories(db.session, now=now, case_keys=[kept.case_key, dropped.case_key])[person.id]
    assert history.seats_last_30_days == 1
    assert (history.attended, history.no_show) == (1, 1)
    assert history.attended_by_kind == {"individual": 1}
    assert set(history.case_last_seen) == {kept.case_key}


def test_recommendations_fit_the_volunteer_and_say_nothing_about_the_respondent(app):
    court = make_court()
    hearing = interpreter_hearing(court, respondent_ref="Rosa")
    past = make_hearing(court=court, starts_at=utcnow() - timedelta(days=40))
    past.case_key = hearing.case_key
    me = free_person(languages=("mam",), roles=(ShiftRole.INTERPRETER,))
    make_signup(shift=past.shifts[0], user=me, attendance=Attendance.ATTENDED)
    make_hearing(court=court, starts_at=local_start(4), seats={ShiftRole.DRIVER: 1})  # not offered
    recs = recommended_for(db.session, user=me, now=utcnow(), settings=SETTINGS)
    assert [r.shift.id for r in recs] == [shift_of(hearing, ShiftRole.INTERPRETER).id]
    codes = {label.code for label in recs[0].labels}
    assert "speaks" in codes and "was_with" not in codes
    assert all(not label.private for label in recs[0].labels)


def test_plan_proposes_without_assigning(app):
    court = make_court()
    hearing = interpreter_hearing(court)
    mam = free_person(languages=("mam",))
    free_person(languages=("es",), roles=(ShiftRole.ACCOMPANIER,))
    review = plan_two_weeks()
    pairs = {(line.shift.role, line.user.id) for line in review.lines}
    assert (ShiftRole.INTERPRETER, mam.id) in pairs
    assert review.result.seats_filled == len(review.lines) == 2
    assert review.open_seats == 3
    assert db.session.scalar(select(func.count()).select_from(Signup)) == 0
    assert hearing.id


def test_plan_refuses_courts_outside_the_coordinators_scope(app):
    mine, other = make_court(), make_court()
    today = utcnow().date()
    with pytest.raises(PermissionDenied):
        planning.build_plan(
            db.session,
            actor=coordinator(courts=(mine,)),
            court_ids={other.id},
            start=today,
            end=today,
            now=utcnow(),
            settings=SETTINGS,
        )
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def fake_clock(*readings: float):
    """A clock giving these readings, then the last one for ever."""
    left = iter(readings)
    return lambda: next(left, readings[-1])


def plan_two_weeks(**kw):
    today = utcnow().date()
    return planning.build_plan(
        db.session,
        actor=coordinator(),
        court_ids=None,
        start=today,
        end=today + timedelta(days=13),
        now=utcnow(),
        settings=SETTINGS,
        **kw,
    )


def test_plan_out_of_time_searches_the_most_pressing_seats_and_leaves_the_rest_for_later(app):
    court = make_court()
    hearing = interpreter_hearing(court, days=10)  # an interpreter's seat comes first
    soon = make_hearing(court=court, starts_at=local_start(2), seats={ShiftRole.ACCOMPANIER: 1})
    mam = free_person(languages=("mam",))
    free_person(languages=("es",), roles=(ShiftRole.ACCOMPANIER,))
    # The clock reads 0 at the start and before the first seat, then is long past the limit.
    review = plan_two_weeks(clock=fake_clock(0.0, 0.0, 100.0))
    interpreter = shift_of(hearing, ShiftRole.INTERPRETER)
    assert review.partial and (review.searched, review.shifts) == (1, 3)
    assert [(line.shift.id, line.user.id) for line in review.lines] == [(interpreter.id, mam.id)]
    assert {(shift.id, n) for shift, n in review.unfilled} == {
        (shift_of(hearing, ShiftRole.ACCOMPANIER).id, 2),
        (soon.shifts[0].id, 1),
    }
    # Not the best plan for all the seats: the bound counts the seats left out as filled.
    assert review.result.method == "time_limit"
    assert 0 < review.result.gap < 1
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_plan_within_the_time_limit_searches_every_seat(app):
    court = make_court()
    interpreter_hearing(court, days=10)
    make_hearing(court=court, starts_at=local_start(2), seats={ShiftRole.ACCOMPANIER: 1})
    free_person(languages=("mam",))
    free_person(languages=("es",), roles=(ShiftRole.ACCOMPANIER,))
    review = plan_two_weeks(clock=fake_clock(0.0))
    assert not review.partial and review.searched == review.shifts == 3
    assert review.result.method == "optimal" and review.result.seats_filled == 3
