"""Rows into the plain facts the eligibility rules read, a few queries per decision."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, String, cast, func, literal, null, select, union_all
from sqlalchemy.orm import Session, selectinload

from scheduler.domain.eligibility import Commitment, Rules, SeatFacts, VolunteerFacts
from scheduler.enums import HearingStatus, ShiftRole, ShiftStatus, UserStatus
from scheduler.models import (
    Court,
    Hearing,
    HearingLanguage,
    Shift,
    Signup,
    User,
    VolunteerLanguage,
    VolunteerProfile,
    VolunteerRole,
    VolunteerTraining,
    volunteer_preferred_courts,
)
from scheduler.shifts.queries import is_filled_seat, with_hearing

# The weekly cap looks at the seat's local ISO week; eight days either side covers it in any zone.
_WEEK_MARGIN = timedelta(days=8)


def rules_from_config(config: Mapping) -> Rules:
    """The claim rules as configured (TRAVEL_BUFFER_MINUTES, REQUIRED_TRAININGS)."""
    required = config.get("REQUIRED_TRAININGS") or {}
    return Rules(
        travel_buffer=timedelta(minutes=int(config.get("TRAVEL_BUFFER_MINUTES", 60))),
        required_trainings={ShiftRole(role): frozenset(keys) for role, keys in required.items() if keys},
    )


def seat_facts(shift: Shift) -> SeatFacts:
    """Expects the shift's hearing, its court and languages loaded (or loadable)."""
    hearing = shift.hearing
    return SeatFacts(
        shift_id=shift.id,
        hearing_id=hearing.id,
        court_id=hearing.court_id,
        court_tz=hearing.court.timezone,
        role=shift.role,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        languages=frozenset(hearing.language_codes),
        cancelled=hearing.status == HearingStatus.CANCELLED,
        closed=shift.status == ShiftStatus.CLOSED,
    )


def seat_fact_columns() -> tuple[Any, ...]:
    """What seat_facts reads, as columns of a statement that joins Hearing and Court: a list
    of seats judged by the rules without building an object per seat (seat_facts_of reads a
    row). The hearing's languages come aggregated in the same row (string_agg / group_concat).
    """
    spoken = (
        select(func.aggregate_strings(HearingLanguage.language, ","))
        .where(HearingLanguage.hearing_id == Hearing.id)
        .scalar_subquery()
    )
    return (
        Shift.id,
        Hearing.id,
        Hearing.court_id,
        Court.timezone,
        Shift.role,
        Shift.starts_at,
        Shift.ends_at,
        Hearing.status,
        Shift.status,
        spoken,
    )


def seat_facts_of(row: Sequence[Any]) -> SeatFacts:
    """SeatFacts from the first columns of a row selected with seat_fact_columns()."""
    shift_id, hearing_id, court_id, tz, role, starts_at, ends_at, hearing_status, status, spoken = row[:10]
    return SeatFacts(
        shift_id=shift_id,
        hearing_id=hearing_id,
        court_id=court_id,
        court_tz=tz,
        role=role,
        starts_at=starts_at,
        ends_at=ends_at,
        languages=frozenset(spoken.split(",")) if spoken else frozenset(),
        cancelled=hearing_status == HearingStatus.CANCELLED,
        closed=status == ShiftStatus.CLOSED,
    )


def volunteer_facts(user: User) -> VolunteerFacts:
    profile = user.profile
    if profile is None:
        return VolunteerFacts(user_id=user.id, approved=user.is_approved, max_shifts_per_week=0)
    return VolunteerFacts(
        user_id=user.id,
        approved=user.is_approved,
        languages=frozenset(profile.language_codes),
        roles=frozenset(profile.role_values),
        has_car=profile.has_car,
        trainings=frozenset(t.training for t in profile.trainings),
        max_shifts_per_week=profile.max_shifts_per_week,
        preferred_court_ids=frozenset(c.id for c in profile.preferred_courts),
    )


def load_volunteers(session: Session, user_ids: Iterable[int]) -> dict[int, VolunteerFacts]:
    """Several people's facts in a constant number of queries."""
    ids = list(set(user_ids))
    if not ids:
        return {}
    users = session.scalars(
        select(User)
        .where(User.id.in_(ids))
        .options(
            selectinload(User.profile).selectinload(VolunteerProfile.languages),
            selectinload(User.profile).selectinload(VolunteerProfile.roles),
            selectinload(User.profile).selectinload(VolunteerProfile.trainings),
            selectinload(User.profile).selectinload(VolunteerProfile.preferred_courts),
        )
    )
    return {u.id: volunteer_facts(u) for u in users}


def _booked_near(ids: list[int], around: tuple[datetime, datetime]) -> tuple[ColumnElement[bool], ...]:
    """These people's confirmed seats at scheduled hearings within a week or so of the window."""
    start, end = around
    return (
        Signup.user_id.in_(ids),
        is_filled_seat(),
        Hearing.status == HearingStatus.SCHEDULED,
        Shift.ends_at >= start - _WEEK_MARGIN,
        Shift.starts_at <= end + _WEEK_MARGIN,
    )


def load_commitments(
    session: Session, *, user_ids: Iterable[int], around: tuple[datetime, datetime]
) -> dict[int, list[Commitment]]:
    """Confirmed seats near a window (for overlap, travel and the weekly cap), per person.

    Seats at cancelled hearings do not count: nobody goes to them.
    """
    ids = list(set(user_ids))
    result: dict[int, list[Commitment]] = defaultdict(list)
    if not ids:
        return result
    rows = session.execute(
        select(Signup.user_id, Shift.id, Hearing.court_id, Shift.starts_at, Shift.ends_at)
        .join(Shift, Signup.shift_id == Shift.id)
        .join(Hearing, Shift.hearing_id == Hearing.id)
        .where(*_booked_near(ids, around))
    ).all()
    court_ids = {r[2] for r in rows}
    zones = _court_zones(session, court_ids)
    for user_id, shift_id, court_id, starts_at, ends_at in rows:
        result[user_id].append(Commitment(shift_id, court_id, zones[court_id], starts_at, ends_at))
    return result


def _court_zones(session: Session, court_ids: set[int]) -> dict[int, str]:
    if not court_ids:
        return {}
    return dict(
        session.execute(select(Court.id, Court.timezone).where(Court.id.in_(court_ids))).tuples().all()
    )


def load_shift(session: Session, shift_id: int) -> Shift | None:
    """The shift with what the rules and pages read about it, fresh from the database."""
    return session.scalar(
        select(Shift)
        .where(Shift.id == shift_id)
        .options(*with_hearing())
        .execution_options(populate_existing=True)
    )


# -- one person's (or a waitlist's) facts for a claim, in one statement ----------------------------


@dataclass(frozen=True, slots=True)
class Claimant:
    """What the claim rules read about a person: their facts and the seats that could clash."""

    volunteer: VolunteerFacts
    commitments: list[Commitment] = field(default_factory=list)


def load_claimants(
    session: Session, *, user_ids: Iterable[int], around: tuple[datetime, datetime]
) -> dict[int, Claimant]:
    """People's facts (profile, languages, roles, trainings, courts) and commitments near a window.

    One statement (a UNION ALL of one kind of row each), where ``load_volunteers`` and
    ``load_commitments`` take seven: a claim runs it while holding the shift's lock. The same
    facts as those two give (a test compares them); the commitments carry their court's zone.
    """
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = session.execute(_claimant_rows(ids, around)).all()
    return _claimants(rows)


def _claimant_rows(ids: list[int], around: tuple[datetime, datetime]) -> Any:
    # Columns: person, kind, text, number, other number, start, end. The first select sets the
    # types of the union (the commitments' times come back through the aware UTC column type).
    commitments = (
        select(
            Signup.user_id,
            literal("commitment", String),
            Court.timezone,
            Shift.id,
            Hearing.court_id,
            Shift.starts_at,
            Shift.ends_at,
        )
        .join(Shift, Signup.shift_id == Shift.id)
        .join(Hearing, Shift.hearing_id == Hearing.id)
        .join(Court, Hearing.court_id == Court.id)
        .where(*_booked_near(ids, around))
    )
    person = (
        select(
            User.id,
            literal("person", String),
            cast(User.status, String),
            VolunteerProfile.max_shifts_per_week,
            cast(VolunteerProfile.has_car, Integer),
            null(),
            null(),
        )
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .where(User.id.in_(ids))
    )
    courts = volunteer_preferred_courts.c
    parts: list[Select] = [
        commitments,
        person,
        _text_rows("language", VolunteerLanguage.user_id, VolunteerLanguage.language, ids),
        _text_rows("role", VolunteerRole.user_id, VolunteerRole.role, ids),
        _text_rows("training", VolunteerTraining.user_id, VolunteerTraining.training, ids),
        select(
            courts.user_id, literal("court", String), null(), courts.court_id, null(), null(), null()
        ).where(courts.user_id.in_(ids)),
    ]
    return union_all(*parts)


def _text_rows(kind: str, user_id: Any, value: Any, ids: list[int]) -> Select:
    return select(user_id, literal(kind, String), cast(value, String), null(), null(), null(), null()).where(
        user_id.in_(ids)
    )


def _claimants(rows: Iterable[Any]) -> dict[int, Claimant]:
    people: dict[int, dict[str, Any]] = {}
    parts: dict[int, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for user_id, kind, text, number, other, starts_at, ends_at in rows:
        if kind == "person":
            people[user_id] = {"status": text, "max": number, "car": bool(other)}
        elif kind == "commitment":
            parts[user_id][kind].append(Commitment(number, other, text, starts_at, ends_at))
        else:
            parts[user_id][kind].append(number if kind == "court" else text)
    return {
        user_id: Claimant(_facts(user_id, person, parts[user_id]), list(parts[user_id]["commitment"]))
        for user_id, person in people.items()
    }


def _facts(user_id: int, person: dict[str, Any], parts: dict[str, list[Any]]) -> VolunteerFacts:
    approved = person["status"] == UserStatus.APPROVED.value
    if person["max"] is None:  # no volunteer profile
        return VolunteerFacts(user_id=user_id, approved=approved, max_shifts_per_week=0)
    return VolunteerFacts(
        user_id=user_id,
        approved=approved,
        languages=frozenset(parts["language"]),
        roles=frozenset(ShiftRole(r) for r in parts["role"]),
        has_car=person["car"],
        trainings=frozenset(parts["training"]),
        max_shifts_per_week=person["max"],
        preferred_court_ids=frozenset(parts["court"]),
    )
