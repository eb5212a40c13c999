"""The volunteers' facts and held seats as numpy arrays, for the planner's candidate search.

Read once per plan (``scheduler.domain.candidate_search``), so that each seat's checks are a
few passes over arrays instead of a loop over people: one boolean array per role, language,
preferred court and day away; fairness, reliability and experience as floats; the weekly
windows and the seats people hold as columns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from scheduler.domain.eligibility import (
    EMPTY_SCHEDULE,
    PreparedSeat,
    Rules,
    Schedule,
    SeatFacts,
    VolunteerFacts,
)
from scheduler.domain.matching import (
    NO_HISTORY,
    History,
    experience_part,
    fairness_part,
    reliability_part,
)
from scheduler.enums import ShiftRole

Mask = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
K = TypeVar("K")
PoolKey = tuple[ShiftRole, int, time, time, bool]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


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


def _us(at: datetime) -> int:
    return (at - EPOCH) // MICROSECOND


@dataclass
class Held:
    """The seats people already hold, as columns: whose, which shift, court, start, end."""

    volunteers: Sequence[VolunteerFacts]
    schedules: Mapping[int, Schedule]
    of: list[Schedule] = field(init=False)
    columns: tuple[Ints, Ints, Ints, Ints, Ints] = field(init=False)
    _full: dict[tuple[int, int], Mask] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.of = [self.schedules.get(v.user_id, EMPTY_SCHEDULE) for v in self.volunteers]
        rows = [
            (i, c.shift_id, c.court_id, _us(c.starts_at), _us(c.ends_at))
            for i, schedule in enumerate(self.of)
            for c in schedule.commitments
        ]
        cols = np.array(rows, dtype=np.int64).reshape(-1, 5).T
        self.columns = (cols[0], cols[1], cols[2], cols[3], cols[4])

    def _mark(self, hit: Mask) -> Mask:
        mask = np.zeros(len(self.volunteers), dtype=np.bool_)
        mask[self.columns[0][hit]] = True
        return mask

    def holders(self, shift_id: int) -> Mask:
        """Who holds this very seat (the rules count their week without it)."""
        return self._mark(self.columns[1] == shift_id)

    def anything(self) -> Mask:
        return self._mark(np.ones(len(self.columns[0]), dtype=np.bool_))

    def full(self, week: tuple[int, int]) -> Mask:
        """Whose weekly cap that local week is reached by the seats they hold."""
        if week not in self._full:
            self._full[week] = np.fromiter(
                (s.per_week.get(week, 0) >= v.max_shifts_per_week for v, s in zip(self.volunteers, self.of)),
                dtype=np.bool_,
                count=len(self.volunteers),
            )
        return self._full[week]

    def clashing(self, facts: SeatFacts, buffer: int) -> Mask:
        """Who holds a seat overlapping this one, or at another court within ``buffer`` of it
        (``conflict_refusals``, with a buffer of 0 or more, in microseconds)."""
        _, _, court, start, end = self.columns
        seat_start, seat_end = _us(facts.starts_at), _us(facts.ends_at)
        overlap = (start < seat_end) & (seat_start < end)
        near = (start - buffer < seat_end) & (seat_start < end + buffer) & (court != facts.court_id)
        return self._mark(overlap | near)


@dataclass
class People:
    """The volunteers' facts as arrays, read once for every seat of a plan."""

    volunteers: Sequence[VolunteerFacts]
    histories: Mapping[int, History]
    rules: Rules
    held: Held
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
