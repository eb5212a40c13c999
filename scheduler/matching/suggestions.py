"""What the pages ask of matching: suggestions on a shift (coordinators), seats for me (volunteers).

Loading is in ``scheduler.matching.facts``; ranking in ``scheduler.domain.matching``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from scheduler.courts import scope
from scheduler.domain.eligibility import Refusal
from scheduler.domain.matching import History, Label, Match, rank, seats_for
from scheduler.errors import PermissionDenied
from scheduler.matching.facts import (
    MatchSettings,
    holders,
    load_facts,
    load_histories,
    load_person,
    load_schedules,
    match_seat,
    open_invitations,
    open_seats_for_volunteer,
    users_by_id,
)
from scheduler.models import Shift, User
from scheduler.shifts.queries import filled_counts, seats_left, shifts_with_hearing

# --- Suggestions for a coordinator -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Suggestion:
    user: User
    match: Match
    invited: bool


@dataclass(frozen=True, slots=True)
class WhyNot:
    user: User
    refusals: tuple[Refusal, ...]


@dataclass(frozen=True, slots=True)
class OpenInvitation:
    user: User
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class Suggestions:
    shift: Shift
    open_places: int
    top: list[Suggestion]
    why_not: list[WhyNot]
    eligible_count: int
    # Everyone invited who has not answered yet, ranked or not (they can be withdrawn).
    invited: list[OpenInvitation] = field(default_factory=list)


def suggestions_for_shift(
    session: Session,
    *,
    actor: User,
    shift: Shift,
    now: datetime,
    settings: MatchSettings,
    why_not_limit: int = 30,
) -> Suggestions:
    """The best people for a shift with their reasons, and why others who offer the role cannot.

    Coordinators only, within their courts: the labels name the respondent's initial.
    """
    if not scope.may_manage_court(actor, shift.hearing.court_id):
        raise PermissionDenied()
    # Only people who offer the role: the others could never take it, and the page lists no one else.
    facts = load_facts(session, role=shift.role)
    seat = match_seat(shift, include_ref=True)
    exclude = holders(session, [shift.id]).get(shift.id, frozenset())
    ranking = rank(
        seat=seat,
        volunteers=list(facts.values()),
        schedules=load_schedules(session, window=(shift.starts_at, shift.ends_at)),
        histories=load_histories(session, now=now, case_keys=[seat.case_key]),
        now=now,
        rules=settings.rules,
        weights=settings.weights,
        exclude=exclude,
    )
    sent = open_invitations(session, shift.id)
    invited = {user_id for user_id, _sent_at in sent}
    shown = ranking.matches[: settings.suggestions]
    # "Why not" lists people who offer this role (the only ones loaded), fewest reasons first.
    offering = sorted(ranking.ineligible, key=lambda i: (len(i.refusals), i.user_id))[:why_not_limit]
    people = users_by_id(
        session, [m.user_id for m in shown] + [i.user_id for i in offering] + [u for u, _at in sent]
    )
    top = [Suggestion(people[m.user_id], m, m.user_id in invited) for m in shown]
    filled = filled_counts(session, [shift.id]).get(shift.id, 0)
    return Suggestions(
        shift=shift,
        open_places=seats_left(capacity=shift.capacity, filled=filled),
        top=top,
        why_not=sorted(
            (WhyNot(people[i.user_id], i.refusals) for i in offering),
            key=lambda w: (len(w.refusals), w.user.display_name.lower()),
        ),
        eligible_count=len(ranking.matches),
        invited=[OpenInvitation(people[u], at) for u, at in sent],
    )


# --- Recommendations for a volunteer ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Recommendation:
    shift: Shift
    # Volunteer-safe labels only: never the respondent, never another volunteer.
    labels: tuple[Label, ...]
    score: float


def recommended_for(
    session: Session,
    *,
    user: User,
    now: datetime,
    settings: MatchSettings,
    limit: int = 5,
    horizon: timedelta = timedelta(days=14),
) -> list[Recommendation]:
    """Open seats this volunteer can take, best first, with reasons safe to show them."""
    if not user.is_approved:
        return []
    found = load_person(session, user_id=user.id, window=(now, now + horizon))
    if found is None:
        return []
    volunteer, schedule = found
    history = load_histories(session, now=now, user_ids=[user.id]).get(user.id, History())
    # Narrowed in SQL by their roles, languages, weekly windows and the seats they hold, and
    # bounded (people they went with first, then their courts, then the soonest).
    seats = open_seats_for_volunteer(
        session, volunteer=volunteer, now=now, until=now + horizon, case_keys=history.case_last_seen
    )
    if not seats:
        return []
    fitting, _ = seats_for(
        volunteer=volunteer,
        seats=seats,
        schedule=schedule,
        history=history,
        now=now,
        rules=settings.rules,
        weights=settings.weights,
    )
    shown = fitting[:limit]
    by_id = {s.id: s for s in shifts_with_hearing(session, [seat.facts.shift_id for seat, _match in shown])}
    return [
        Recommendation(by_id[seat.facts.shift_id], _volunteer_labels(match), match.score)
        for seat, match in shown
        if seat.facts.shift_id in by_id
    ]


def _volunteer_labels(match: Match) -> tuple[Label, ...]:
    """What a volunteer reads about why a seat suits them: language, court, their own days."""
    keep = {"speaks", "prefers_court", "fits_availability"}
    return tuple(label for label in match.safe_labels() if label.code in keep)
