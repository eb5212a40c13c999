"""A volunteer's commitments (with what changed since their last visit) and late-drop alerts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from scheduler.courts import scope
from scheduler.domain.claims import sees_seat_details
from scheduler.enums import HearingStatus, SignupStatus
from scheduler.models import Hearing, Shift, Signup, User
from scheduler.shifts.queries import filled_counts, is_filled_seat
from scheduler.types import utcnow

PAST_LIMIT = 20


@dataclass(frozen=True, slots=True)
class TeamMember:
    display_name: str
    role: str
    team_lead: bool
    # Only for the hearing's team lead (and coordinators, on their own pages); else None.
    phone: str | None


@dataclass(slots=True)
class CommitmentView:
    signup: Signup
    team: list[TeamMember] = field(default_factory=list)
    # Codes of what changed since the last visit: new, promoted, removed, cancelled, time, court, details.
    changes: list[str] = field(default_factory=list)
    is_lead: bool = False

    @property
    def shift(self) -> Shift:
        return self.signup.shift

    @property
    def hearing(self) -> Hearing:
        return self.signup.shift.hearing

    @property
    def sees_details(self) -> bool:
        """Meeting point, notes and team: for a confirmed seat at a hearing still on."""
        cancelled = self.hearing.status == HearingStatus.CANCELLED
        return sees_seat_details(self.signup.status, hearing_cancelled=cancelled)


@dataclass(slots=True)
class Commitments:
    upcoming: list[CommitmentView]
    past: list[CommitmentView]

    @property
    def all(self) -> list[CommitmentView]:
        return self.upcoming + self.past


def _options():
    return (
        joinedload(Signup.shift).joinedload(Shift.hearing).joinedload(Hearing.court),
        joinedload(Signup.shift).joinedload(Shift.hearing).selectinload(Hearing.languages),
    )


def my_commitments(session: Session, *, user: User, now: datetime) -> Commitments:
    upcoming = list(
        session.scalars(
            select(Signup)
            .join(Signup.shift)
            .where(
                Signup.user_id == user.id,
                Shift.ends_at >= now,
                or_(
                    Signup.status.in_([SignupStatus.CONFIRMED, SignupStatus.WAITLISTED]),
                    # A removal the person has not seen yet is itself news.
                    (Signup.status == SignupStatus.REMOVED)
                    & or_(Signup.seen_status.is_(None), Signup.seen_status != SignupStatus.REMOVED),
                ),
            )
            .order_by(Shift.starts_at, Signup.id)
            .options(*_options())
        )
    )
    past = list(
        session.scalars(
            select(Signup)
            .join(Signup.shift)
            .where(Signup.user_id == user.id, Shift.ends_at < now, is_filled_seat())
            .order_by(Shift.starts_at.desc())
            .limit(PAST_LIMIT)
            .options(*_options())
        )
    )
    views = [CommitmentView(s, changes=changes_since_seen(s)) for s in upcoming]
    _add_teams(session, views, viewer_id=user.id)
    return Commitments(upcoming=views, past=[CommitmentView(s) for s in past])


def changes_since_seen(signup: Signup) -> list[str]:
    hearing = signup.shift.hearing
    if signup.status == SignupStatus.REMOVED:
        return ["removed"]
    if signup.seen_status is None:
        # Never shown yet: news only if a coordinator put them there (a claim marks itself seen).
        return ["new"] if signup.assigned_by_id is not None else []
    changes = []
    if signup.seen_status == SignupStatus.WAITLISTED and signup.status == SignupStatus.CONFIRMED:
        changes.append("promoted")
    fresh = signup.seen_version is None or signup.seen_version < hearing.version
    if hearing.status == HearingStatus.CANCELLED and fresh:
        changes.append("cancelled")
    if signup.seen_starts_at is not None and signup.seen_starts_at != signup.shift.starts_at:
        changes.append("time")
    if signup.seen_court_id is not None and signup.seen_court_id != hearing.court_id:
        changes.append("court")
    if fresh and signup.seen_version is not None and not changes:
        changes.append("details")
    return changes


def _add_teams(session: Session, views: list[CommitmentView], *, viewer_id: int) -> None:
    """Everyone seated at the same hearings, in one query."""
    hearing_ids = {v.hearing.id for v in views}
    if not hearing_ids:
        return
    rows = session.scalars(
        select(Signup)
        .join(Signup.shift)
        .where(Shift.hearing_id.in_(hearing_ids), is_filled_seat())
        .order_by(Signup.team_lead.desc(), Signup.id)
        .options(joinedload(Signup.user), joinedload(Signup.shift))
    )
    by_hearing: dict[int, list[Signup]] = defaultdict(list)
    for row in rows:
        by_hearing[row.shift.hearing_id].append(row)
    for view in views:
        team = by_hearing.get(view.hearing.id, [])
        view.is_lead = any(s.user_id == viewer_id and s.team_lead for s in team)
        view.team = [
            TeamMember(
                display_name=s.user.display_name,
                role=s.shift.role.value,
                team_lead=s.team_lead,
                phone=s.user.phone if view.is_lead else None,
            )
            for s in team
            if s.user_id != viewer_id
        ]


def seen_stamp(view: CommitmentView) -> str:
    """What a change note showed: the seat, its status and the hearing's version and place in time.

    The "mark as seen" button sends these back, so a change that lands between showing the page
    and pressing the button stays news.
    """
    signup, hearing = view.signup, view.hearing
    parts = (
        signup.id,
        signup.status.value,
        hearing.version,
        view.shift.starts_at.isoformat(),
        hearing.court_id,
    )
    return ":".join(str(p) for p in parts)


def mark_seen(commitments: Commitments, *, shown: Collection[str]) -> int:
    """Remember the change notes the person has now read, so the next visit highlights only newer ones.

    Only seats still exactly as shown (``seen_stamp``) are marked; returns how many.
    """
    marked = 0
    for view in commitments.upcoming:
        if seen_stamp(view) not in shown:
            continue
        signup = view.signup
        signup.seen_status = signup.status
        signup.seen_version = view.hearing.version
        signup.seen_starts_at = view.shift.starts_at
        signup.seen_court_id = view.hearing.court_id
        marked += 1
    return marked


@dataclass(frozen=True, slots=True)
class LateDrop:
    signup: Signup
    filled: int

    @property
    def shift(self) -> Shift:
        return self.signup.shift


def late_drop_alerts(
    session: Session, *, user: User, now: datetime | None = None, limit: int = 50
) -> list[LateDrop]:
    """Seats given up after the cutoff for shifts still ahead, in the coordinator's courts."""
    now = now or utcnow()
    rows = list(
        session.scalars(
            select(Signup)
            .join(Signup.shift)
            .join(Shift.hearing)
            .where(
                Signup.status == SignupStatus.DROPPED,
                Signup.dropped_late.is_(True),
                Shift.ends_at >= now,
                Hearing.status == HearingStatus.SCHEDULED,
                scope.hearing_filter(user),
            )
            .order_by(Shift.starts_at, Signup.id)
            .limit(limit)
            .options(*_options(), joinedload(Signup.user))
        )
    )
    filled = filled_counts(session, {s.shift_id for s in rows})
    return [LateDrop(s, filled.get(s.shift_id, 0)) for s in rows]
