"""Every seat's best candidates at once, for the planner: ``matching.rank`` per seat, vectorised.

Ranking each of a thousand seats against two thousand people one pair at a time costs a second
of CPU (seconds under load) before the solver even starts. Here the people's facts and the
seats they hold are read once into numpy arrays (``scheduler.domain.candidate_arrays``), so
that for each seat:

1. the people the rules would refuse are masked out at once: not approved, not offering the
   role, no weekly window covering the seat's local time (masks cached per role, weekday and
   hours), a weekly cap of 0, no car for a driver's seat, a training the role needs, no shared
   language for an interpreter's seat, away on the day, the week's cap reached, a seat held
   that overlaps or sits at another court within the travel buffer;
2. the rest are scored with array arithmetic, each part by the same formula as
   ``matching.score_parts`` and summed in the same order as ``matching.total``, so every
   score is the very same float;
3. they are sorted as ``rank`` sorts them (score, then fewer recent seats, then id) and the
   first ``keep`` are the seat's candidates. The few the masks cannot settle (people holding
   this very seat, whose week the rules count without it; anyone holding a seat if the travel
   buffer is negative) go through the full rules (``prepared_match_refusals``).

A test compares the result with ``rank`` on random instances.

A deadline stops the search between seats: the planner's time limit covers the search too, and
the seats not reached are left out of the result (the caller plans without them).
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import numpy as np

from scheduler.domain.candidate_arrays import MICROSECOND, Floats, Held, Ints, Mask, People
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
    PARTS,
    History,
    Match,
    MatchSeat,
    clean_weights,
    language_part,
    primary_languages,
)
from scheduler.enums import ShiftRole

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


def _open(prep: PreparedSeat, now: datetime) -> bool:
    facts = prep.seat
    return not (facts.cancelled or facts.closed or now >= facts.starts_at)


def _within(people: People, seat: MatchSeat, prep: PreparedSeat, skip: frozenset[int]) -> tuple[Ints, Mask]:
    """The people who may take the seat, and among them those the full rules must still check
    (who hold this very seat; anyone holding a seat if the travel buffer is negative)."""
    facts = seat.facts
    mask = people.pool(prep).copy()
    if facts.role == ShiftRole.INTERPRETER:
        mask &= people.any_of(people.speaks, facts.languages)
    mask &= ~people.any_of(people.away, {prep.local_start.date(), prep.local_end.date()})
    if skip:
        mask &= ~np.isin(people.ids, np.fromiter(skip, dtype=np.int64, count=len(skip)))
    held, buffer = people.held, people.rules.travel_buffer // MICROSECOND
    if buffer < 0:
        check = held.anything()
    else:
        check = held.holders(facts.shift_id)
        mask &= check | ~(held.full(prep.week) | held.clashing(facts, buffer))
    rows = np.flatnonzero(mask)
    return rows, check[rows]


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
    rows, needs_check = _within(people, seat, prep, skip)
    parts = _parts(people, seat, rows)
    score = _total(parts, weights)
    order = np.lexsort((people.ids[rows], -parts["fairness"], -score))
    if needs_check.any():
        unsure = needs_check.tolist()
        order = np.array(
            [k for k in order.tolist() if not unsure[k] or check(people.volunteers[int(rows[k])], prep)],
            dtype=np.int64,
        )
    best = order if limit is None else order[: max(0, limit)]  # as rank's list cut at ``limit``
    values = zip(*(parts[name][best].tolist() for name in PARTS), strict=True)
    return [
        Match(uid, total, dict(zip(PARTS, part, strict=True)), ())
        for uid, total, part in zip(
            people.ids[rows[best]].tolist(), score[best].tolist(), values, strict=True
        )
    ]


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
    people = People(volunteers, histories, rules, Held(volunteers, schedules))

    def check(volunteer: VolunteerFacts, prep: PreparedSeat) -> bool:
        schedule = schedules.get(volunteer.user_id, EMPTY_SCHEDULE)
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
