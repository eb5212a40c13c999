"""Posting, editing, rescheduling and cancelling hearings, with the change history.

Every function that changes what volunteers were told raises the hearing's version (published
as the iCal SEQUENCE) and records who must hear of it (``scheduler.events``), in the same
transaction; the notifications worker tells them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from scheduler import audit, events
from scheduler.courts import queries as court_queries
from scheduler.courts import scope
from scheduler.domain.claims import HOLDING, may_see_hearing, sees_seat_details
from scheduler.domain.hearings import (
    HearingPlan,
    check_texts,
    diff_fields,
    move_window,
    raises_version,
    visible_changes,
)
from scheduler.enums import HearingKind, HearingStatus, ShiftStatus, SignupStatus
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.models import (
    AuditEvent,
    Court,
    Hearing,
    HearingLanguage,
    Invitation,
    InvitationStatus,
    Shift,
    Signup,
    User,
)
from scheduler.types import utcnow


@dataclass(frozen=True, slots=True)
class HearingDetails:
    """What a coordinator can edit without moving the hearing."""

    kind: HearingKind
    duration_minutes: int
    judge: str = ""
    languages: tuple[str, ...] = ()
    respondent_ref: str = ""
    meeting_point: str = ""
    public_notes: str = ""
    private_notes: str = ""
    date_confirmed: bool = False
    courtroom: str = ""


@dataclass(frozen=True, slots=True)
class ChangeResult:
    """What changed: the move, and the seats of the people told of it."""

    hearing_id: int
    old_starts_at: datetime
    new_starts_at: datetime
    signup_ids: tuple[int, ...]
    changes: dict[str, Any] = field(default_factory=dict)
    version_raised: bool = False


def create_hearing(
    session: Session,
    *,
    actor: User,
    court: Court,
    plan: HearingPlan,
    details: HearingDetails,
    previous: Hearing | None = None,
    reported_by_team: bool = False,
) -> Hearing:
    """A new hearing and its shifts; a "next hearing" shares the person's case key.

    ``reported_by_team``: a volunteer's report after ``previous`` gives the next date (the
    casework report service has checked they held a confirmed seat there), so no court scope.
    """
    if not (reported_by_team and previous is not None):
        _require_scope(actor, court.id)
    hearing = Hearing(
        court=court,
        starts_at=plan.starts_at,
        case_key=previous.case_key if previous else uuid.uuid4().hex,
        previous_hearing_id=previous.id if previous else None,
        created_by_id=actor.id,
        version=1,
        status=HearingStatus.SCHEDULED,
    )
    _apply_details(hearing, details)
    hearing.languages = [HearingLanguage(language=code) for code in details.languages]
    hearing.shifts = [
        Shift(
            role=s.role,
            capacity=s.capacity,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            status=ShiftStatus.OPEN,
        )
        for s in plan.shifts
    ]
    session.add(hearing)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="hearing.created",
        object_type="hearing",
        object_id=hearing.id,
        details={"previous_hearing_id": previous.id} if previous else {},
    )
    return hearing


def update_details(
    session: Session,
    *,
    actor: User,
    hearing: Hearing,
    details: HearingDetails,
    notify_volunteers: bool = True,
) -> ChangeResult:
    """Edit what does not move the hearing; the version goes up only for what volunteers see.

    People with a seat hear of any change they can see (``VOLUNTEER_VISIBLE_FIELDS``: kind,
    length, courtroom, judge, languages, date confirmed, meeting point, notes) by email unless
    the coordinator says not to; calendar feeds follow either way.
    """
    _require_scope(actor, hearing.court_id)
    _require_scheduled(hearing)
    _refuse_a_numbers({name: getattr(details, name) for name in _TEXT_FIELDS}, hearing=hearing)
    before = _snapshot(hearing)
    old_end = hearing.starts_at + timedelta(minutes=hearing.duration_minutes)
    _apply_details(hearing, details)
    if sorted(details.languages) != sorted(before["languages"]):
        hearing.languages = [HearingLanguage(language=code) for code in details.languages]
    new_end = hearing.starts_at + timedelta(minutes=hearing.duration_minutes)
    for shift in hearing.shifts:
        # Shifts that ran to the hearing's expected end still do.
        if shift.ends_at == old_end and new_end > shift.starts_at:
            shift.ends_at = new_end
    result = _finish_change(session, actor=actor, hearing=hearing, before=before, action="hearing.updated")
    seen = visible_changes(result.changes)
    if seen and notify_volunteers and hearing.starts_at > utcnow():
        told = [s.id for shift in hearing.shifts for s in shift.signups if sees_seat_details(s.status)]
        events.record(
            session, events.HearingDetailsChanged(hearing_id=hearing.id, signup_ids=tuple(told), changes=seen)
        )
    return result


def reschedule_hearing(
    session: Session,
    *,
    actor: User,
    hearing: Hearing,
    court: Court,
    starts_at: datetime,
    courtroom: str,
) -> ChangeResult:
    """Move a hearing in time, place or room: its shifts move by the same offset, seats are kept."""
    _require_scope(actor, hearing.court_id)
    _require_scope(actor, court.id)
    _require_scheduled(hearing)
    _refuse_a_numbers({"courtroom": courtroom}, hearing=hearing)
    before = _snapshot(hearing)
    old_start = hearing.starts_at
    old_court_id = hearing.court_id
    old_courtroom = hearing.courtroom
    for shift in hearing.shifts:
        shift.starts_at, shift.ends_at = move_window(
            old_start=old_start, new_start=starts_at, window=(shift.starts_at, shift.ends_at)
        )
    hearing.starts_at = starts_at
    hearing.court = court
    hearing.court_id = court.id
    hearing.courtroom = courtroom
    # An open invitation can be answered until its shift starts: it moves with the shift.
    starts = {shift.id: shift.starts_at for shift in hearing.shifts}
    for invitation in session.scalars(
        select(Invitation).where(
            Invitation.shift_id.in_(list(starts)), Invitation.status == InvitationStatus.PENDING
        )
    ):
        invitation.expires_at = starts[invitation.shift_id]
    result = _finish_change(
        session, actor=actor, hearing=hearing, before=before, action="hearing.rescheduled"
    )
    if result.version_raised:  # everyone on it hears (recorded in this transaction)
        events.record(
            session,
            events.HearingRescheduled(
                hearing_id=hearing.id,
                signup_ids=result.signup_ids,
                old_starts_at=old_start,
                old_court_id=old_court_id,
                old_courtroom=old_courtroom,
            ),
        )
    return result


def cancel_hearing(session: Session, *, actor: User, hearing: Hearing, reason: str) -> ChangeResult:
    """Cancel: shifts close, signups stay as they were (history), and everyone on it is told."""
    _require_scope(actor, hearing.court_id)
    _require_scheduled(hearing)
    if not reason.strip():
        raise ServiceError("reason_required", field="reason")
    _refuse_a_numbers({"reason": reason})
    before = _snapshot(hearing)
    hearing.status = HearingStatus.CANCELLED
    hearing.cancel_reason = reason.strip()
    hearing.cancelled_at = utcnow()
    for shift in hearing.shifts:
        shift.status = ShiftStatus.CLOSED
    result = _finish_change(session, actor=actor, hearing=hearing, before=before, action="hearing.cancelled")
    events.record(session, events.HearingCancelled(hearing_id=hearing.id, signup_ids=result.signup_ids))
    return result


def load_hearing(session: Session, hearing_id: int) -> Hearing | None:
    """A hearing with its court, languages, shifts and people, in a fixed number of queries."""
    return session.scalar(
        select(Hearing)
        .where(Hearing.id == hearing_id)
        .options(
            joinedload(Hearing.court),
            selectinload(Hearing.languages),
            selectinload(Hearing.shifts).selectinload(Shift.signups).joinedload(Signup.user),
        )
    )


@dataclass(frozen=True, slots=True)
class HearingAccess:
    """What a person may see of a hearing: `manages` (the court's staff: everything), else
    `sees_team` (a confirmed seat: meeting point, notes for volunteers, the team)."""

    manages: bool
    sees_team: bool


def hearing_access(hearing: Hearing, user: User) -> HearingAccess | None:
    """Who may see a hearing, for its page and the API alike.

    Staff of its court see everything; a coordinator of other courts is refused
    (PermissionDenied); a volunteer sees it while they hold a seat or a waitlist place on it,
    the team only with a confirmed seat. None: a volunteer who is not on it, who is not told
    that it exists.
    """
    if scope.may_manage_court(user, hearing.court_id):
        return HearingAccess(manages=True, sees_team=True)
    if user.is_coordinator:
        raise PermissionDenied()
    mine = [s.status for shift in hearing.shifts for s in shift.signups if s.user_id == user.id]
    if not may_see_hearing(mine):
        return None
    cancelled = hearing.status == HearingStatus.CANCELLED
    return HearingAccess(
        manages=False,
        sees_team=any(sees_seat_details(status, hearing_cancelled=cancelled) for status in mine),
    )


# Audit events that record someone looking, not a change: they belong in the admin's audit log,
# not in the hearing's change history, where each visit would bury the real changes.
VIEW_ACTIONS = ("hearing.private_viewed",)


def history(session: Session, *, hearing_id: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.object_type == "hearing",
                AuditEvent.object_id == hearing_id,
                AuditEvent.action.not_in(VIEW_ACTIONS),
            )
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .options(joinedload(AuditEvent.actor))
        )
    )


@dataclass(frozen=True, slots=True)
class PastTeamMember:
    user: User
    role: str
    shift_id: int | None  # this hearing's shift of the same role, if it has one


def previous_team(session: Session, *, hearing: Hearing) -> list[PastTeamMember]:
    """Who accompanied this person at earlier hearings and is not on this one yet.

    Continuity matters to the people accompanied: these volunteers are offered first.
    """
    on_this = {s.user_id for shift in hearing.shifts for s in shift.signups if s.status in HOLDING}
    shift_by_role = {shift.role.value: shift.id for shift in hearing.shifts}
    rows = session.execute(
        select(Signup, Shift.role)
        .join(Shift, Signup.shift_id == Shift.id)
        .join(Hearing, Shift.hearing_id == Hearing.id)
        .where(
            Hearing.case_key == hearing.case_key,
            Hearing.id != hearing.id,
            Hearing.starts_at < hearing.starts_at,
            Signup.status == SignupStatus.CONFIRMED,
        )
        .order_by(Hearing.starts_at.desc())
        .options(joinedload(Signup.user))
    ).all()
    seen: set[int] = set()
    team = []
    for signup, role in rows:
        if signup.user_id in seen or signup.user_id in on_this or not signup.user.is_approved:
            continue
        seen.add(signup.user_id)
        team.append(PastTeamMember(user=signup.user, role=role.value, shift_id=shift_by_role.get(role.value)))
    return team


def courts_in_scope(session: Session, *, user: User, include_id: int | None = None) -> list[Court]:
    """Active courts this coordinator may post to (plus the hearing's current one when editing)."""
    courts = court_queries.active_courts(session, within=scope.court_ids(user))
    if include_id is not None and all(c.id != include_id for c in courts):
        extra = session.get(Court, include_id)
        if extra is not None:
            courts.append(extra)
    return courts


def default_court_id(session: Session, *, user: User, courts: list[Court]) -> int | None:
    """The court a new hearing form starts with: the only one, else the last one this person used."""
    if len(courts) == 1:
        return courts[0].id
    allowed = {c.id for c in courts}
    last = session.scalars(
        select(Hearing.court_id)
        .where(Hearing.created_by_id == user.id)
        .order_by(Hearing.created_at.desc(), Hearing.id.desc())
        .limit(20)
    )
    return next((court_id for court_id in last if court_id in allowed), None)


def _require_scope(actor: User, court_id: int) -> None:
    if not scope.may_manage_court(actor, court_id):
        raise PermissionDenied()


def _require_scheduled(hearing: Hearing) -> None:
    if hearing.status != HearingStatus.SCHEDULED:
        raise ServiceError("cancelled")


# The free-text fields no edit may fill with an alien registration number.
_TEXT_FIELDS = ("respondent_ref", "meeting_point", "public_notes", "private_notes", "courtroom", "judge")


def _refuse_a_numbers(texts: dict[str, str], *, hearing: Hearing | None = None) -> None:
    """An A-number is never stored: refuse it in any text this change writes, whoever calls
    (the forms check too, for their field-by-field messages). With ``hearing``, only the texts
    that change are judged, so an old value does not block an unrelated edit."""
    changed = {k: v for k, v in texts.items() if hearing is None or v != getattr(hearing, k)}
    for name in check_texts(changed):
        raise ServiceError("a_number", field=name)


def _apply_details(hearing: Hearing, details: HearingDetails) -> None:
    hearing.kind = details.kind
    hearing.duration_minutes = details.duration_minutes
    hearing.judge = details.judge
    hearing.courtroom = details.courtroom
    hearing.respondent_ref = details.respondent_ref
    hearing.meeting_point = details.meeting_point
    hearing.public_notes = details.public_notes
    hearing.private_notes = details.private_notes
    hearing.date_confirmed = details.date_confirmed


def _snapshot(hearing: Hearing) -> dict[str, Any]:
    """The fields the history tracks, as JSON-friendly values."""
    return {
        "starts_at": hearing.starts_at.isoformat(),
        "court": hearing.court.name if hearing.court else None,
        "courtroom": hearing.courtroom,
        "kind": hearing.kind.value,
        "duration_minutes": hearing.duration_minutes,
        "judge": hearing.judge,
        "languages": sorted(hearing.language_codes),
        "meeting_point": hearing.meeting_point,
        "public_notes": hearing.public_notes,
        "date_confirmed": hearing.date_confirmed,
        "status": hearing.status.value,
        "respondent_ref": hearing.respondent_ref,
        "private_notes": hearing.private_notes,
    }


def _finish_change(
    session: Session, *, actor: User, hearing: Hearing, before: dict[str, Any], action: str
) -> ChangeResult:
    after = _snapshot(hearing)
    after["languages"] = sorted(hearing.language_codes)
    changes = diff_fields(old=before, new=after)
    raised = raises_version(changes)
    if raised:
        hearing.version += 1
    session.flush()
    if changes:
        details: dict[str, Any] = {"changes": changes, "version": hearing.version}
        if action == "hearing.cancelled":
            details["reason"] = hearing.cancel_reason
        audit.record(
            session, actor=actor, action=action, object_type="hearing", object_id=hearing.id, details=details
        )
    signup_ids = tuple(s.id for shift in hearing.shifts for s in shift.signups if s.status in HOLDING)
    return ChangeResult(
        hearing_id=hearing.id,
        old_starts_at=datetime.fromisoformat(before["starts_at"]),
        new_starts_at=hearing.starts_at,
        signup_ids=signup_ids,
        changes=changes,
        version_raised=raised,
    )
