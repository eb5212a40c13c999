"""Every seat's best candidates at once, for the planner: ``matching.rank`` per seat, vectorised.

Ranking each of a thousand seats against two thousand people one pair at a time costs a second
of CPU (seconds under load) before the solver even starts. Here the people's facts are read
once into numpy arrays (one boolean array per role, language, preferred court and day away;
fairness, reliability and experience as floats), so that for each seat:

1. the people the rules would refuse anyway are masked out at once: not approved, not offering
   the role, no weekly window covering the seat's local time (masks cached per role, weekday
   and hours), a weekly cap of 0, no car for a driver's seat, a training the role needs, no
   shared language for an interpreter's seat, away on the day;
2. the rest are scored with array arithmetic, each part by the same formula as
   ``matching.score_parts`` and summed in the same order as ``matching.total``, so every
   score is the very same float;
3. they are sorted as ``rank`` sorts them (score, then fewer recent seats, then id), and the full
   rules (``prepared_match_refusals``: conflicts, weekly caps) run in that order until the
   seat's ``keep`` people have passed; someone with no seat held yet passes at once (step 1
   has checked everything else the rules check).

A test compares the result with ``rank`` on random instances.

A deadline stops the search between seats: the planner's time limit covers the search too, and
the seats not reached are left out of the result (the caller plans without them).
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from scheduler.domain.eligibility import (
    EMPTY_SCHEDULE,
    PreparedSeat,
    Rules,
    Schedule,
    VolunteerFacts,
    prepare_seat,
    prepared_match_refusals,
)
from scheduler.domain.matching import (
    NO_HISTORY,
    PARTS,
    History,
    Match,
    MatchSeat,
    clean_weights,
    experience_part,
    fairness_part,
    language_part,
    primary_languages,
    reliability_part,
)
from scheduler.enums import ShiftRole

Mask = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
K = TypeVar("K")
PoolKey = tuple[ShiftRole, int, time, time, bool]


# The share of the planner's time limit the search may use: the solve gets what it leaves
# (and falls back to the greedy plan over the candidates found if nothing is left).
SEARCH_SHARE = 0.75


class Deadline(Protocol):
    def passed(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class ClockDeadline:
    """Passed once ``clock()`` reaches ``at`` (seconds on that clock)."""

    at: float
    clock: Callable[[], float] = clock.monotonic

    def passed(self) -> bool:
        return self.clock() >= self.at


def _micros(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def _flags(people: Sequence[VolunteerFacts], keys: Callable[[VolunteerFacts], Iterable[K]]) -> dict[K, Mask]:
    """One boolean array per key: who has it."""
    found: dict[K, list[int]] = {}
    for i, v in enumerate(people):
        for key in keys(v):
            found.setdefault(key, []).append(i)
    out: dict[K, Mask] = {}
    for key, rows in found.items():
        mask = np.zeros(len(people), dtype=np.bool_)
        mask[rows] = True
        out[key] = mask
    return out


@dataclass
class People:
    """The volunteers' facts as arrays, read once for every seat of a plan."""

    volunteers: Sequence[VolunteerFacts]
    histories: Mapping[int, History]
    rules: Rules
    ids: Ints = field(init=False)
    able: Mask = field(init=False)  # approved, with a weekly cap above 0
    has_car: Mask = field(init=False)
    fairness: Floats = field(init=False)
    reliability: Floats = field(init=False)
    roles: dict[ShiftRole, Mask] = field(init=False)
    speaks: dict[str, Mask] = field(init=False)
    prefers: dict[int, Mask] = field(init=False)
    away: dict[date, Mask] = field(init=False)
    cases: dict[str, Ints] = field(init=False)
    windows: tuple[Ints, Ints, Ints, Ints] = field(init=False)
    _kinds: dict[str, Floats] = field(init=False, default_factory=dict)
    _pools: dict[PoolKey, Mask] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        people, n = self.volunteers, len(self.volunteers)
        past = [self.histories.get(v.user_id, NO_HISTORY) for v in people]
        self.ids = np.fromiter((v.user_id for v in people), dtype=np.int64, count=n)
        self.able = np.fromiter((v.approved and v.max_shifts_per_week > 0 for v in people), np.bool_, n)
        self.has_car = np.fromiter((v.has_car for v in people), dtype=np.bool_, count=n)
        self.fairness = np.fromiter((fairness_part(h) for h in past), dtype=np.float64, count=n)
        self.reliability = np.fromiter((reliability_part(h) for h in past), dtype=np.float64, count=n)
        self.roles = _flags(people, lambda v: v.roles)
        self.speaks = _flags(people, lambda v: v.languages)
        self.prefers = _flags(people, lambda v: v.preferred_court_ids)
        self.away = _flags(people, lambda v: v.blackout_dates)
        by_case: dict[str, list[int]] = {}
        for i, h in enumerate(past):
            for key, seen in h.case_last_seen.items():
                if seen is not None:
                    by_case.setdefault(key, []).append(i)
        self.cases = {key: np.array(rows, dtype=np.int64) for key, rows in by_case.items()}
        rows = [
            (i, w.weekday, _micros(w.start), _micros(w.end))
            for i, v in enumerate(people)
            for w in v.availability
        ]
        columns = np.array(rows, dtype=np.int64).reshape(-1, 4).T
        self.windows = (columns[0], columns[1], columns[2], columns[3])

    def none(self) -> Mask:
        return np.zeros(len(self.volunteers), dtype=np.bool_)

    def any_of(self, table: Mapping[K, Mask], keys: Iterable[K]) -> Mask:
        mask = self.none()
        for key in keys:
            if key in table:
                mask |= table[key]
        return mask

    def experience(self, kind: str) -> Floats:
        if kind not in self._kinds:
            self._kinds[kind] = np.fromiter(
                (experience_part(self.histories.get(v.user_id, NO_HISTORY), kind) for v in self.volunteers),
                dtype=np.float64,
                count=len(self.volunteers),
            )
        return self._kinds[kind]

    def pool(self, prep: PreparedSeat) -> Mask:
        """Who offers the role, is qualified for it and has a weekly window covering the seat."""
        role, start, end = prep.seat.role, prep.local_start, prep.local_end
        key: PoolKey = (role, start.weekday(), start.time(), end.time(), start.date() == end.date())
        if key not in self._pools:
            self._pools[key] = self._pool(role, *key[1:])
        return self._pools[key]

    def _pool(self, role: ShiftRole, weekday: int, start: time, end: time, same_day: bool) -> Mask:
        mask = self.none()
        if not same_day or role not in self.roles:
            return mask
        who, day, w_start, w_end = self.windows
        covers = (day == weekday) & (w_start <= _micros(start)) & (_micros(end) <= w_end)
        mask[who[covers]] = True
        mask &= self.roles[role] & self.able
        if role == ShiftRole.DRIVER:
            mask &= self.has_car
        needed = frozenset(self.rules.required_trainings.get(role, frozenset()))
        if needed:
            trained = np.fromiter((needed <= v.trainings for v in self.volunteers), np.bool_, len(mask))
            mask &= trained
        return mask


def _open(prep: PreparedSeat, now: datetime) -> bool:
    facts = prep.seat
    return not (facts.cancelled or facts.closed or now >= facts.starts_at)


def _within(people: People, seat: MatchSeat, prep: PreparedSeat, skip: frozenset[int]) -> Ints:
    """The people left for the full rules: everything but conflicts and weekly caps checked."""
    facts = seat.facts
    mask = people.pool(prep).copy()
    if facts.role == ShiftRole.INTERPRETER:
        mask &= people.any_of(people.speaks, facts.languages)
    mask &= ~people.any_of(people.away, {prep.local_start.date(), prep.local_end.date()})
    if skip:
        mask &= ~np.isin(people.ids, np.fromiter(skip, dtype=np.int64, count=len(skip)))
    return np.flatnonzero(mask)


def _parts(people: People, seat: MatchSeat, rows: Ints) -> dict[str, Floats]:
    """Each part of the score for these people, as ``score_parts`` computes it."""
    facts = seat.facts
    continuity = np.zeros(len(people.volunteers), dtype=np.float64)
    if seat.case_key and seat.case_key in people.cases:
        continuity[people.cases[seat.case_key]] = 1.0
    interpreter = facts.role == ShiftRole.INTERPRETER
    spoken = people.any_of(people.speaks, facts.languages)[rows]
    primary = people.any_of(people.speaks, primary_languages(facts.languages))[rows]
    language = np.where(
        primary,
        language_part(interpreter=interpreter, primary=True),
        np.where(spoken, language_part(interpreter=interpreter, primary=False), 0.0),
    )
    return {
        "continuity": continuity[rows],
        "language": language,
        "preferred_court": people.any_of(people.prefers, (facts.court_id,))[rows].astype(np.float64),
        "fairness": people.fairness[rows],
        "reliability": people.reliability[rows],
        "experience": people.experience(seat.hearing_kind)[rows],
    }


def _total(parts: dict[str, Floats], weights: Mapping[str, float]) -> Floats:
    """``matching.total`` on arrays: the same products summed in the same order."""
    score = weights["continuity"] * parts["continuity"]
    for name in PARTS[1:]:
        score = score + weights[name] * parts[name]
    return score


def _best(
    people: People,
    seat: MatchSeat,
    prep: PreparedSeat,
    *,
    skip: frozenset[int],
    limit: int | None,
    check: Callable[[VolunteerFacts, PreparedSeat], bool],
    weights: Mapping[str, float],
) -> list[Match]:
    rows = _within(people, seat, prep, skip)
    parts = _parts(people, seat, rows)
    score = _total(parts, weights)
    order = np.lexsort((people.ids[rows], -parts["fairness"], -score))
    chosen: list[Match] = []
    for k in order.tolist():
        if limit is not None and len(chosen) >= limit:
            break
        volunteer = people.volunteers[int(rows[k])]
        if check(volunteer, prep):
            values = {name: float(parts[name][k]) for name in PARTS}
            chosen.append(Match(volunteer.user_id, float(score[k]), values, ()))
    return chosen


def candidates_for_seats(
    *,
    seats: Sequence[MatchSeat],
    volunteers: Sequence[VolunteerFacts],
    schedules: Mapping[int, Schedule],
    histories: Mapping[int, History],
    now: datetime,
    rules: Rules,
    weights: Mapping[str, float] | None = None,
    exclude: Mapping[int, frozenset[int]] | None = None,
    keep: Mapping[int, int] | None = None,
    deadline: Deadline | None = None,
) -> dict[int, list[Match]]:
    """Every seat's eligible volunteers, best first: ``rank(...).matches`` for each seat.

    Matches carry no labels (``matching.explain`` them for the lines a plan keeps). With
    ``keep`` (shift id -> n), only each seat's n best eligible people. Seats are searched in
    the order given; once ``deadline`` has passed (checked before each seat), the rest are
    left out of the result.
    """
    w = clean_weights(weights)
    people = People(volunteers, histories, rules)

    def check(volunteer: VolunteerFacts, prep: PreparedSeat) -> bool:
        schedule = schedules.get(volunteer.user_id, EMPTY_SCHEDULE)
        if not schedule.commitments:
            return True  # nothing to clash with, and the rest was checked by the masks
        return not prepared_match_refusals(
            volunteer=volunteer, seat=prep, schedule=schedule, now=now, rules=rules
        )

    result: dict[int, list[Match]] = {}
    for seat in seats:
        if deadline is not None and deadline.passed():
            break
        facts = seat.facts
        prep = prepare_seat(facts)
        if not _open(prep, now):
            result[facts.shift_id] = []
            continue
        result[facts.shift_id] = _best(
            people,
            seat,
            prep,
            skip=(exclude or {}).get(facts.shift_id, frozenset()),
            limit=(keep or {}).get(facts.shift_id),
            check=check,
            weights=w,
        )
    return result
