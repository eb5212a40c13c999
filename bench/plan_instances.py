"""Planning instances where the greedy plan is worse than the best one, and why.

Greedy takes seats by priority (then date) and gives each to its best-scoring volunteer still
free. That is short-sighted when the best person for one seat is the only person for another:

* ``bilingual``: scarce bilingual (Mam and Spanish) interpreters across clashing hearings. A
  Spanish hearing and a Mam hearing sit at the same hour at two courts; the bilingual people
  score best on both, but only they can take the Mam seat. Greedy spends them on the Spanish
  seats first and leaves the Mam hearings without an interpreter.
* ``continuity``: people returning to the same person's next hearing, with a weekly cap of one.
  Each returning volunteer is also the best match for a merits hearing earlier that week (more
  weight, so greedy fills it first); the return visit is then left empty.
* ``travel``: seats at two courts an hour apart, closer than the travel buffer. The best
  person for the morning seat is the only one free for the late-morning seat across town.

``at_scale`` puts all three in a crowd at the size of the big plan (1,000 shifts, 2,000
volunteers) for the bench's timing under load.

Each instance also has ordinary volunteers and seats around the traps (random scores, several
candidates), so greedy is not simply half of the best. Built directly as ``PlanProblem`` values
with a fixed seed: the same instance every run; tests check optimiser >= greedy and bound >=
optimiser on them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from scheduler.domain.plan_model import Candidate, PlanProblem, PlanSeat, seat_priority
from scheduler.enums import HearingKind, ShiftRole

NOW = datetime(2027, 3, 1, 6, 0, tzinfo=UTC)
BUFFER = timedelta(minutes=60)


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seats: list[PlanSeat] = []
        self.candidates: list[Candidate] = []
        self.caps: dict[int, int] = {}
        self.next_user = 1

    def seat(
        self, *, day: int, hour: float, hours: float, court: int, role: ShiftRole, kind: HearingKind, places=1
    ) -> int:
        start = NOW.replace(hour=0) + timedelta(days=day, hours=hour)
        iso = start.isocalendar()
        shift_id = len(self.seats) + 1
        self.seats.append(
            PlanSeat(
                shift_id,
                places,
                seat_priority(role=role, hearing_kind=kind, starts_at=start, now=NOW),
                court,
                start,
                start + timedelta(hours=hours),
                (iso.year, iso.week),
            )
        )
        return shift_id

    def person(self, cap: int) -> int:
        user_id = self.next_user
        self.next_user += 1
        self.caps[user_id] = cap
        return user_id

    def can(self, user_id: int, shift_id: int, score: float) -> None:
        self.candidates.append(Candidate(user_id, shift_id, score))

    def ordinary(self, *, days: range, seats_per_day: int, people: int) -> None:
        """Plain accompanier seats with a crowd of interchangeable candidates around the traps."""
        crowd = [self.person(self.rng.randint(1, 3)) for _ in range(people)]
        for day in days:
            for k in range(seats_per_day):
                sid = self.seat(
                    day=day,
                    hour=13 + 2 * k,
                    hours=1.5,
                    court=3 + k % 3,
                    role=ShiftRole.ACCOMPANIER,
                    kind=HearingKind.MASTER,
                    places=self.rng.choice([1, 2]),
                )
                for uid in self.rng.sample(crowd, min(len(crowd), 4)):
                    self.can(uid, sid, round(self.rng.uniform(0.2, 0.8), 3))

    def problem(self) -> PlanProblem:
        return PlanProblem(tuple(self.seats), tuple(self.candidates), dict(self.caps), {}, BUFFER)


def bilingual(seed: int = 1, slots: int = 40) -> PlanProblem:
    """Scarce Mam-and-Spanish interpreters across clashing hearings (greedy about half)."""
    b = _Builder(seed)
    for k in range(slots):
        day = k // 2
        hour = 9 if k % 2 == 0 else 13
        spanish = b.seat(
            day=day, hour=hour, hours=2, court=1, role=ShiftRole.INTERPRETER, kind=HearingKind.MASTER
        )
        mam = b.seat(
            day=day, hour=hour + 0.5, hours=2, court=2, role=ShiftRole.INTERPRETER, kind=HearingKind.MASTER
        )
        both = b.person(cap=5)
        b.can(both, spanish, round(b.rng.uniform(0.8, 1.0), 3))
        b.can(both, mam, round(b.rng.uniform(0.8, 1.0), 3))
        for _ in range(b.rng.randint(1, 2)):
            b.can(b.person(cap=2), spanish, round(b.rng.uniform(0.3, 0.7), 3))
    b.ordinary(days=range(0, slots // 2, 3), seats_per_day=2, people=30)
    return b.problem()


def continuity(seed: int = 2, weeks: int = 4, cases_per_week: int = 10) -> PlanProblem:
    """Returning volunteers (weekly cap one) who are also the best match for an earlier merits hearing."""
    b = _Builder(seed)
    for week in range(weeks):
        for c in range(cases_per_week):
            merits = b.seat(
                day=7 * week + c % 2,
                hour=8 + c % 4,
                hours=3,
                court=1 + c % 3,
                role=ShiftRole.ACCOMPANIER,
                kind=HearingKind.INDIVIDUAL,
            )
            follow_up = b.seat(
                day=7 * week + 3 + c % 2,
                hour=9 + c % 4,
                hours=1,
                court=1 + c % 3,
                role=ShiftRole.ACCOMPANIER,
                kind=HearingKind.MASTER,
            )
            returning = b.person(cap=1)
            b.can(returning, merits, round(b.rng.uniform(0.7, 0.9), 3))
            b.can(returning, follow_up, 1.0)  # the familiar face for this person
            for _ in range(b.rng.randint(1, 3)):
                b.can(b.person(cap=1), merits, round(b.rng.uniform(0.2, 0.6), 3))
    b.ordinary(days=range(0, 7 * weeks, 4), seats_per_day=2, people=30)
    return b.problem()


def travel(seed: int = 3, slots: int = 40) -> PlanProblem:
    """Seats at two courts closer than the travel buffer: the morning's best is the only one free later."""
    b = _Builder(seed)
    for k in range(slots):
        day = k // 2
        hour = 8 if k % 2 == 0 else 13
        morning = b.seat(
            day=day, hour=hour, hours=1, court=1, role=ShiftRole.ACCOMPANIER, kind=HearingKind.BOND
        )
        later = b.seat(
            day=day, hour=hour + 1.5, hours=1.5, court=2, role=ShiftRole.ACCOMPANIER, kind=HearingKind.MASTER
        )
        near_both = b.person(cap=4)
        b.can(near_both, morning, round(b.rng.uniform(0.8, 1.0), 3))
        b.can(near_both, later, round(b.rng.uniform(0.5, 0.9), 3))
        for _ in range(b.rng.randint(1, 2)):
            b.can(b.person(cap=2), morning, round(b.rng.uniform(0.2, 0.7), 3))
    b.ordinary(days=range(0, slots // 2, 3), seats_per_day=2, people=30)
    return b.problem()


def at_scale(seed: int = 4, days: int = 20, people: int = 2000) -> PlanProblem:
    """All three traps every day, in a crowd: 1,000 shifts (1,262 places) and 2,000 volunteers.

    Each day has four of each trap (a bilingual pair of interpreter seats, a morning seat and a
    seat across town inside the travel buffer, a merits hearing and its follow-up two days
    later) and 26 plain seats with eight candidates each from a crowd with weekly caps of one to
    three, so the weeks link into large parts the solver must branch on.
    """
    b = _Builder(seed)
    crowd = [b.person(b.rng.randint(1, 3)) for _ in range(people - 12 * days)]
    for day in range(days):
        for k in range(4):
            _traps(b, crowd, day=day, hour=8 + 2 * k, follow_up_day=day + 2)
        for k in range(26):
            sid = b.seat(
                day=day,
                hour=8 + k % 9,
                hours=1.5,
                court=1 + k % 6,
                role=ShiftRole.ACCOMPANIER,
                kind=HearingKind.MASTER,
                places=b.rng.choice([1, 2]),
            )
            for uid in b.rng.sample(crowd, 8):
                b.can(uid, sid, round(b.rng.uniform(0.2, 0.8), 3))
    return b.problem()


def _traps(b: _Builder, crowd: list[int], *, day: int, hour: float, follow_up_day: int) -> None:
    """One of each trap at ``hour``, the ordinary candidates drawn from ``crowd``."""
    interpreter, accompanier = ShiftRole.INTERPRETER, ShiftRole.ACCOMPANIER
    spanish = b.seat(day=day, hour=hour, hours=2, court=1, role=interpreter, kind=HearingKind.MASTER)
    mam = b.seat(day=day, hour=hour + 0.5, hours=2, court=2, role=interpreter, kind=HearingKind.MASTER)
    morning = b.seat(day=day, hour=hour, hours=1, court=3, role=accompanier, kind=HearingKind.BOND)
    later = b.seat(day=day, hour=hour + 1.5, hours=1.5, court=4, role=accompanier, kind=HearingKind.MASTER)
    merits = b.seat(day=day, hour=hour, hours=3, court=5, role=accompanier, kind=HearingKind.INDIVIDUAL)
    follow_up = b.seat(
        day=follow_up_day, hour=hour + 1, hours=1, court=5, role=accompanier, kind=HearingKind.MASTER
    )
    for first, second, cap, low, high in (
        (spanish, mam, 3, 0.8, 1.0),
        (morning, later, 3, 0.5, 0.9),
        (merits, follow_up, 1, 1.0, 1.0),
    ):
        only = b.person(cap=cap)
        b.can(only, first, round(b.rng.uniform(0.7, 1.0), 3))
        b.can(only, second, round(b.rng.uniform(low, high), 3))
        for uid in b.rng.sample(crowd, 2):
            b.can(uid, first, round(b.rng.uniform(0.2, 0.7), 3))


INSTANCES: dict[str, Callable[[], PlanProblem]] = {
    "scarce bilingual interpreters, clashing hearings": bilingual,
    "continuity, weekly cap one": continuity,
    "travel buffer between courts": travel,
}
