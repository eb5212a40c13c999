"""Who fits a seat, how well, and why: eligibility from the shared rules, then a weighted score.

Eligibility is ``scheduler.domain.eligibility`` (never restated here). Among eligible people the
score is a weighted sum of named parts, each in [0, 1], with weights from config
(``MATCH_WEIGHTS``). The default order, strongest first:

1. continuity: went with the same person (same ``case_key``) before; a familiar face matters
   most to someone walking into court, so by default it outweighs all the other parts together;
2. language: interpreters speaking the hearing's first language (the least common one, e.g.
   Mam rather than Spanish) beat those speaking a bridge language; accompaniers who share any
   hearing language help;
3. preferred court;
4. fairness: fewer confirmed seats in the last 30 days first, so the work is spread;
5. reliability: attended / (attended + no-show), with a neutral prior for newcomers;
6. experience with the hearing's kind.

Every part also yields a short label (a code with parameters, translated by the web layer).
Labels marked ``private`` name the respondent and are for coordinators only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from scheduler.domain.eligibility import (
    EMPTY_SCHEDULE,
    PreparedSeat,
    Refusal,
    Rules,
    Schedule,
    SeatFacts,
    VolunteerFacts,
    prepare_seat,
    prepared_match_refusals,
)
from scheduler.enums import ShiftRole

DEFAULT_WEIGHTS: Mapping[str, float] = {
    "continuity": 100,
    "language": 40,
    "preferred_court": 20,
    "fairness": 15,
    "reliability": 10,
    "experience": 10,
}
PARTS = tuple(DEFAULT_WEIGHTS)

# Languages many interpreters share; a hearing listing another language needs that one first.
BRIDGE_LANGUAGES = frozenset({"es", "en"})
# Prior for reliability: a newcomer counts as PRIOR_ATTENDED of PRIOR_SEATS, i.e. neutral 0.5.
PRIOR_ATTENDED = 1.0
PRIOR_SEATS = 2.0
# Seats of one kind after which experience counts in full.
EXPERIENCE_FULL = 5


@dataclass(frozen=True, slots=True)
class MatchSeat:
    """A seat plus what scoring reads beyond the hard rules."""

    facts: SeatFacts
    hearing_kind: str = "other"
    case_key: str = ""
    # The respondent reference's initial ("R."), for coordinators' labels only.
    ref_initial: str = ""


@dataclass(frozen=True, slots=True)
class History:
    """A volunteer's past, as scoring needs it."""

    seats_last_30_days: int = 0
    attended: int = 0
    no_show: int = 0
    attended_by_kind: Mapping[str, int] = field(default_factory=dict)
    # case_key -> the local date of the latest past seat with that person.
    case_last_seen: Mapping[str, date] = field(default_factory=dict)


NO_HISTORY = History()


@dataclass(frozen=True, slots=True)
class Label:
    code: str
    params: Mapping[str, object] = field(default_factory=dict)
    # True when the label names the respondent: coordinators only.
    private: bool = False


@dataclass(frozen=True, slots=True)
class Match:
    user_id: int
    score: float
    parts: Mapping[str, float]
    labels: tuple[Label, ...]

    def safe_labels(self) -> tuple[Label, ...]:
        """Labels a volunteer may see about themselves."""
        return tuple(label for label in self.labels if not label.private)


@dataclass(frozen=True, slots=True)
class Ineligible:
    user_id: int
    refusals: tuple[Refusal, ...]


@dataclass(frozen=True, slots=True)
class Ranking:
    matches: list[Match]
    ineligible: list[Ineligible]


def ref_initial(respondent_ref: str) -> str:
    """ "Rosa M." -> "R."; empty stays empty (labels then say "this person")."""
    text = respondent_ref.strip()
    return f"{text[0].upper()}." if text else ""


def primary_languages(languages: Iterable[str]) -> frozenset[str]:
    """The languages a hearing needs first: those that are not bridge languages, if any."""
    langs = frozenset(languages)
    rare = langs - BRIDGE_LANGUAGES
    return rare or langs


def clean_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """Configured weights over the defaults; unknown names are ignored, negatives become 0."""
    merged = dict(DEFAULT_WEIGHTS)
    for name, value in (weights or {}).items():
        if name in merged:
            merged[name] = max(0.0, float(value))
    return merged


# The parts' formulas, shared with the planner's vectorised search
# (``scheduler.domain.candidate_search``), so both give the very same floats.


def language_part(*, interpreter: bool, primary: bool) -> float:
    """The language part of someone who speaks one of the hearing's languages (a primary one?)."""
    if interpreter:
        return 1.0 if primary else 0.5
    return 0.6 if primary else 0.3


def fairness_part(history: History) -> float:
    return 1.0 / (1.0 + history.seats_last_30_days)


def reliability_part(history: History) -> float:
    return (history.attended + PRIOR_ATTENDED) / (history.attended + history.no_show + PRIOR_SEATS)


def experience_part(history: History, hearing_kind: str) -> float:
    done = history.attended_by_kind.get(hearing_kind, 0)
    return min(1.0, done / EXPERIENCE_FULL) if done else 0.0


def score_parts(
    *,
    volunteer: VolunteerFacts,
    seat: MatchSeat,
    prepared: PreparedSeat,
    history: History,
    explain: bool = True,
) -> tuple[dict[str, float], list[Label]]:
    """Each part's value in [0, 1], and (if ``explain``) the labels that explain them."""
    facts = seat.facts
    parts = dict.fromkeys(PARTS, 0.0)
    labels: list[Label] = []

    seen = history.case_last_seen.get(seat.case_key) if seat.case_key else None
    if seen is not None:
        parts["continuity"] = 1.0
        if explain:
            labels.append(Label("was_with", {"ref_initial": seat.ref_initial, "day": seen}, private=True))

    spoken = volunteer.languages & facts.languages
    if spoken:
        primary = primary_languages(facts.languages)
        best = sorted(spoken & primary) or sorted(spoken)
        parts["language"] = language_part(
            interpreter=facts.role == ShiftRole.INTERPRETER, primary=bool(spoken & primary)
        )
        if explain:
            labels.append(Label("speaks", {"language": best[0]}))

    if facts.court_id in volunteer.preferred_court_ids:
        parts["preferred_court"] = 1.0
        if explain:
            labels.append(Label("prefers_court"))

    parts["fairness"] = fairness_part(history)
    if explain:
        labels.append(Label("seats_this_month", {"n": history.seats_last_30_days}))

    parts["reliability"] = reliability_part(history)
    if history.attended + history.no_show >= 3 and history.no_show == 0 and explain:
        labels.append(Label("always_came", {"n": history.attended}))

    done = history.attended_by_kind.get(seat.hearing_kind, 0)
    if done:
        parts["experience"] = experience_part(history, seat.hearing_kind)
        if explain:
            labels.append(Label("experience", {"n": done, "kind": seat.hearing_kind}))

    if explain:
        labels.append(Label("fits_availability", {"weekday": prepared.local_start.weekday()}))
    return parts, labels


def total(parts: Mapping[str, float], weights: Mapping[str, float]) -> float:
    return (
        weights["continuity"] * parts["continuity"]
        + weights["language"] * parts["language"]
        + weights["preferred_court"] * parts["preferred_court"]
        + weights["fairness"] * parts["fairness"]
        + weights["reliability"] * parts["reliability"]
        + weights["experience"] * parts["experience"]
    )


def max_score(weights: Mapping[str, float]) -> float:
    return sum(weights[name] for name in PARTS)


def rank(
    *,
    seat: MatchSeat,
    volunteers: Iterable[VolunteerFacts],
    schedules: Mapping[int, Schedule],
    histories: Mapping[int, History],
    now: datetime,
    rules: Rules,
    weights: Mapping[str, float] | None = None,
    exclude: Iterable[int] = (),
    prepared: PreparedSeat | None = None,
    explain: bool = True,
) -> Ranking:
    """Everyone eligible, best first, and everyone else with why not.

    Ties go to the person with fewer recent seats, then the lower id, so the order is stable.
    """
    w = clean_weights(weights)
    assert set(w) == set(PARTS)
    prep = prepared or prepare_seat(seat.facts)
    skip = frozenset(exclude)
    matches: list[Match] = []
    ineligible: list[Ineligible] = []
    for volunteer in volunteers:
        if volunteer.user_id in skip:
            continue
        refusals = prepared_match_refusals(
            volunteer=volunteer,
            seat=prep,
            schedule=schedules.get(volunteer.user_id, EMPTY_SCHEDULE),
            now=now,
            rules=rules,
        )
        if refusals:
            ineligible.append(Ineligible(volunteer.user_id, tuple(refusals)))
            continue
        history = histories.get(volunteer.user_id, NO_HISTORY)
        parts, labels = score_parts(
            volunteer=volunteer, seat=seat, prepared=prep, history=history, explain=explain
        )
        matches.append(Match(volunteer.user_id, total(parts, w), parts, tuple(labels)))
    matches.sort(key=lambda m: (-m.score, -m.parts["fairness"], m.user_id))
    return Ranking(matches=matches, ineligible=ineligible)


def top(ranking: Ranking, limit: int) -> list[Match]:
    return ranking.matches[:limit]


def seats_for(
    *,
    volunteer: VolunteerFacts,
    seats: Sequence[MatchSeat],
    schedule: Schedule,
    history: History,
    now: datetime,
    rules: Rules,
    weights: Mapping[str, float] | None = None,
) -> tuple[list[tuple[MatchSeat, Match]], list[tuple[MatchSeat, tuple[Refusal, ...]]]]:
    """One volunteer against many seats: the ones they can take, best first, and the others."""
    w = clean_weights(weights)
    fitting: list[tuple[MatchSeat, Match]] = []
    refused: list[tuple[MatchSeat, tuple[Refusal, ...]]] = []
    for seat in seats:
        prep = prepare_seat(seat.facts)
        refusals = prepared_match_refusals(
            volunteer=volunteer, seat=prep, schedule=schedule, now=now, rules=rules
        )
        if refusals:
            refused.append((seat, tuple(refusals)))
            continue
        parts, labels = score_parts(volunteer=volunteer, seat=seat, prepared=prep, history=history)
        fitting.append((seat, Match(volunteer.user_id, total(parts, w), parts, tuple(labels))))
    fitting.sort(key=lambda pair: (-pair[1].score, pair[0].facts.starts_at, pair[0].facts.shift_id))
    return fitting, refused


def explain(*, volunteer: VolunteerFacts, seat: MatchSeat, history: History) -> tuple[Label, ...]:
    """The labels of one pairing, e.g. for the lines of a plan."""
    _, labels = score_parts(
        volunteer=volunteer, seat=seat, prepared=prepare_seat(seat.facts), history=history
    )
    return tuple(labels)
