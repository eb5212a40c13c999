"""After a hearing, one short report by a volunteer who was there (the team lead first).

The report may give the next date (the next hearing is posted in the same transaction, the
team invited first) or say it is still to be set (an awaiting-date entry). One report per
hearing: the second is refused, a race too (the unique constraint), with nothing half-written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from scheduler import audit
from scheduler.casework import awaiting
from scheduler.casework.awaiting import plan_from
from scheduler.casework.series import details_of, invite_last_team
from scheduler.domain.hearings import looks_like_a_number
from scheduler.domain.timezones import to_local
from scheduler.enums import HearingKind, HearingOutcome, HearingStatus, HeldStatus, Role, SignupStatus
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.hearings import schedule as hearing_service
from scheduler.matching.facts import MatchSettings
from scheduler.models import Hearing, HearingReport, Shift, Signup, User
from scheduler.unique import Taken, flush_unique

MY_REPORTS = 50
# The team lead files first: the rest of the team may once this long has passed since the start.
LEAD_FIRST = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class ReportAnswers:
    held: HeldStatus
    outcome: HearingOutcome | None = None
    interpreter_present: bool | None = None
    interpreter_adequate: bool | None = None
    ice_present: bool | None = None
    judge: str = ""
    courtroom: str = ""
    staff_note: str = ""
    next_kind: HearingKind | None = None
    next_starts_at: datetime | None = None  # UTC
    next_to_be_set: bool = False


def may_report(hearing: Hearing, user: User) -> bool:
    """A volunteer with a confirmed seat at this hearing."""
    return any(
        s.user_id == user.id and s.status == SignupStatus.CONFIRMED
        for shift in hearing.shifts
        for s in shift.signups
    )


def is_team_lead(hearing: Hearing, user: User) -> bool:
    return any(s.user_id == user.id and s.team_lead for shift in hearing.shifts for s in shift.signups)


def waits_for_lead(hearing: Hearing, user: User, *, now: datetime) -> bool:
    """The hearing has a confirmed team lead who is not this person, and their first day is not over."""
    has_lead = any(
        s.team_lead and s.status == SignupStatus.CONFIRMED for shift in hearing.shifts for s in shift.signups
    )
    return has_lead and not is_team_lead(hearing, user) and now < hearing.starts_at + LEAD_FIRST


def report_for(session: Session, *, hearing_id: int) -> HearingReport | None:
    return session.scalar(select(HearingReport).where(HearingReport.hearing_id == hearing_id))


def file_report(
    session: Session,
    *,
    actor: User,
    hearing: Hearing,
    answers: ReportAnswers,
    now: datetime,
    settings: MatchSettings,
) -> HearingReport:
    """Check everything first, then write the report and the next hearing or awaiting entry."""
    if not may_report(hearing, actor):
        raise PermissionDenied()
    _check(session, hearing=hearing, answers=answers, now=now)
    if waits_for_lead(hearing, actor, now=now):
        raise ServiceError("lead_first")
    report = HearingReport(
        hearing_id=hearing.id,
        author_id=actor.id,
        court_id=hearing.court_id,
        held_month=to_local(hearing.starts_at, hearing.court.timezone).strftime("%Y-%m"),
        held=answers.held,
        outcome=answers.outcome,
        interpreter_present=answers.interpreter_present,
        interpreter_adequate=answers.interpreter_adequate if answers.interpreter_present else None,
        ice_present=answers.ice_present,
        # One space between words, as typed otherwise: court watch counts per judge.
        judge=" ".join((answers.judge.strip() or hearing.judge).split()),
        courtroom=answers.courtroom.strip() or hearing.courtroom,
        staff_note=answers.staff_note.strip(),
        next_kind=answers.next_kind,
    )
    session.add(report)
    try:
        flush_unique(session)
    except Taken as exc:
        raise ServiceError("already_reported") from exc
    _next_step(
        session, actor=actor, hearing=hearing, report=report, answers=answers, now=now, settings=settings
    )
    audit.record(session, actor=actor, action="hearing.reported", object_type="hearing", object_id=hearing.id)
    return report


def _check(session: Session, *, hearing: Hearing, answers: ReportAnswers, now: datetime) -> None:
    if hearing.starts_at > now:
        raise ServiceError("not_yet")
    if report_for(session, hearing_id=hearing.id) is not None:
        raise ServiceError("already_reported")
    for name in ("judge", "courtroom", "staff_note"):
        if looks_like_a_number(getattr(answers, name)):
            raise ServiceError("a_number", field=name)
    if answers.next_kind is not None and answers.next_starts_at is None and not answers.next_to_be_set:
        raise ServiceError("next_date_required", field="next_date")
    if answers.next_starts_at is not None:
        if answers.next_kind is None:
            raise ServiceError("next_kind_required", field="next_kind")
        if answers.next_starts_at <= now:
            raise ServiceError("next_in_past", field="next_date")


def _next_step(
    session: Session,
    *,
    actor: User,
    hearing: Hearing,
    report: HearingReport,
    answers: ReportAnswers,
    now: datetime,
    settings: MatchSettings,
) -> None:
    if answers.next_kind is None:
        return
    if answers.next_starts_at is None:
        entry = awaiting.add_awaiting(
            session,
            actor=actor,
            court=hearing.court,
            kind=answers.next_kind,
            next_check_on=awaiting.default_check_day(now=now, tz_name=hearing.court.timezone),
            today=to_local(now, hearing.court.timezone).date(),
            previous=hearing,
            reported_by_team=True,
        )
        report.next_awaiting_id = entry.id
        return
    details = details_of(hearing, kind=answers.next_kind)
    following = hearing_service.create_hearing(
        session,
        actor=actor,
        court=hearing.court,
        plan=plan_from(hearing, details, answers.next_starts_at),
        details=details,
        previous=hearing,
        reported_by_team=True,
    )
    report.next_hearing_id = following.id
    session.flush()
    inviter = session.get(User, hearing.created_by_id) if hearing.created_by_id else None
    if inviter is not None and inviter.role in (Role.COORDINATOR, Role.ADMIN):
        invite_last_team(session, hearing=following, actor=inviter, now=now, settings=settings)


def my_reports(session: Session, *, user: User) -> list[HearingReport]:
    """The reports this volunteer filed, newest hearing first."""
    return list(
        session.scalars(
            select(HearingReport)
            .join(Hearing, HearingReport.hearing_id == Hearing.id)
            .where(HearingReport.author_id == user.id)
            .options(joinedload(HearingReport.hearing).joinedload(Hearing.court))
            .order_by(Hearing.starts_at.desc())
            .limit(MY_REPORTS)
        )
    )


def reports_to_file(session: Session, *, user: User, now: datetime) -> list[Hearing]:
    """Past hearings this volunteer had a confirmed seat at and nobody has reported on yet."""
    return list(
        session.scalars(
            select(Hearing)
            .join(Shift, Shift.hearing_id == Hearing.id)
            .join(Signup, Signup.shift_id == Shift.id)
            .outerjoin(HearingReport, HearingReport.hearing_id == Hearing.id)
            .where(
                Signup.user_id == user.id,
                Signup.status == SignupStatus.CONFIRMED,
                Hearing.status == HearingStatus.SCHEDULED,
                Hearing.starts_at <= now,
                HearingReport.id.is_(None),
            )
            .options(joinedload(Hearing.court))
            .order_by(Hearing.starts_at.desc())
            .distinct()
            .limit(MY_REPORTS)
        )
    )


def wipe_private(session: Session, *, before: datetime) -> int:
    """Retention: staff notes of reports on hearings before the cutoff go; the counts stay."""
    old = select(Hearing.id).where(Hearing.starts_at < before).scalar_subquery()
    result = session.execute(
        update(HearingReport)
        .where(HearingReport.staff_note != "", HearingReport.hearing_id.in_(old))
        .values(staff_note="")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
