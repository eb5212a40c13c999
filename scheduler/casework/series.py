"""Recurring ICE check-ins: a rule, and one ordinary hearing per date as its window opens.

Each occurrence is made by ``hearings.schedule.create_hearing`` and changed by its reschedule
and cancel services, so seats, claims, waitlists, feed events (own UID and SEQUENCE) and change
mails behave as for any hearing. "This one" is the hearing's own edit; "this and the following"
ends the rule before that date, starts a new one, and moves or cancels the later occurrences
through the same services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scheduler.courts import scope
from scheduler.domain.hearings import HearingPlan, PlannedShift
from scheduler.domain.recurrence import (
    Frequency,
    Recurrence,
    RecurrenceInvalid,
    dates_of,
    occurrence_dates,
    rule_text,
)
from scheduler.domain.timezones import occurrences, to_local
from scheduler.enums import HearingKind, HearingStatus
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.hearings import schedule as hearing_service
from scheduler.matching import invitations
from scheduler.matching.facts import MatchSettings
from scheduler.models import Hearing, HearingSeries, SeriesOccurrence, User

__all__ = ["RecurrenceInvalid", "SeriesSpec", "change_following", "open_all_windows", "open_window"]


@dataclass(frozen=True, slots=True)
class SeriesSpec:
    frequency: Frequency
    interval: int = 1
    until: date | None = None
    count: int | None = None
    skipped: frozenset[date] = frozenset()
    weeks_ahead: int = 4


def series_of(session: Session, *, hearing_id: int) -> HearingSeries | None:
    return session.scalar(
        select(HearingSeries)
        .join(SeriesOccurrence, SeriesOccurrence.series_id == HearingSeries.id)
        .where(SeriesOccurrence.hearing_id == hearing_id)
    )


def load_series(session: Session, series_id: int) -> HearingSeries | None:
    return session.scalar(
        select(HearingSeries)
        .where(HearingSeries.id == series_id)
        .options(selectinload(HearingSeries.occurrences).selectinload(SeriesOccurrence.hearing))
    )


def start_series(
    session: Session,
    *,
    actor: User,
    hearing: Hearing,
    spec: SeriesSpec,
    now: datetime,
    settings: MatchSettings,
) -> HearingSeries:
    """Make an upcoming ICE check-in the first of a series; the next dates open at once.

    A rule with no date, or with dates more than a year after the first, is refused
    (RecurrenceInvalid) before anything is written.
    """
    if not scope.may_manage_court(actor, hearing.court_id):
        raise PermissionDenied()
    if hearing.kind != HearingKind.ICE_CHECKIN:
        raise ServiceError("not_checkin")
    if hearing.status != HearingStatus.SCHEDULED or hearing.starts_at <= now:
        raise ServiceError("not_upcoming")
    if series_of(session, hearing_id=hearing.id) is not None:
        raise ServiceError("already_series")
    if not 1 <= spec.weeks_ahead <= 26:
        raise ServiceError("bad_weeks_ahead")
    local = to_local(hearing.starts_at, hearing.court.timezone)
    rec = Recurrence(
        first=local.date(),
        frequency=spec.frequency,
        interval=spec.interval,
        until=spec.until,
        count=spec.count,
        skipped=spec.skipped,
    )
    occurrence_dates(rec)  # refuses before anything is written
    series = HearingSeries(
        court_id=hearing.court_id,
        kind=hearing.kind,
        local_time=local.time().replace(tzinfo=None),
        weeks_ahead=spec.weeks_ahead,
        template_hearing_id=hearing.id,
        case_key=hearing.case_key,
        created_by_id=actor.id,
    )
    _set_rule(series, rec)
    series.occurrences = [SeriesOccurrence(occurs_on=local.date(), hearing_id=hearing.id)]
    session.add(series)
    session.flush()
    open_window(session, series=series, actor=actor, now=now, settings=settings)
    return series


def _set_rule(series: HearingSeries, rec: Recurrence) -> None:
    series.rule = rule_text(rec)
    series.frequency = rec.frequency.value
    series.interval = rec.interval
    series.until_on = rec.until
    series.count = rec.count
    series.skipped = sorted(d.isoformat() for d in rec.skipped)


def _recurrence(series: HearingSeries, *, first: date | None = None) -> Recurrence:
    return Recurrence(
        first=first or dates_of(series.rule)[0],
        frequency=Frequency(series.frequency),
        interval=series.interval,
        until=series.until_on,
        count=series.count,
        skipped=series.skipped_dates,
    )


def planned_dates(series: HearingSeries) -> list[date]:
    return dates_of(series.rule, skipped=series.skipped_dates)


def open_window(
    session: Session, *, series: HearingSeries, actor: User | None, now: datetime, settings: MatchSettings
) -> list[Hearing]:
    """Create the occurrences due within ``weeks_ahead`` of now; the last team is invited first."""
    if series.ended:
        return []
    actor = actor or (session.get(User, series.created_by_id) if series.created_by_id else None)
    tz = series.court.timezone
    horizon = to_local(now, tz).date() + timedelta(weeks=series.weeks_ahead)
    have = {o.occurs_on for o in series.occurrences}
    template = session.get(Hearing, series.template_hearing_id) if series.template_hearing_id else None
    due = [d for d in planned_dates(series) if d not in have and d <= horizon]
    if actor is None or template is None:
        return []
    made = []
    for day in due:
        starts = occurrences(day, series.local_time, tz)
        if starts and starts[0] > now:  # not a time the clocks skip that day, nor already past
            made.append(
                _open_date(
                    session, series=series, template=template, actor=actor, day=day, starts_at=starts[0]
                )
            )
    for hearing in made:
        invite_last_team(session, hearing=hearing, actor=actor, now=now, settings=settings)
    opened = {o.occurs_on for o in series.occurrences}
    series.ended = all(d in opened for d in planned_dates(series))
    return made


def _open_date(
    session: Session, *, series: HearingSeries, template: Hearing, actor: User, day: date, starts_at: datetime
) -> Hearing:
    hearing = _make_occurrence(session, series=series, template=template, actor=actor, starts_at=starts_at)
    series.occurrences.append(SeriesOccurrence(occurs_on=day, hearing_id=hearing.id))
    session.flush()
    return hearing


def _make_occurrence(
    session: Session, *, series: HearingSeries, template: Hearing, actor: User, starts_at: datetime
) -> Hearing:
    offset = starts_at - template.starts_at
    plan = HearingPlan(
        starts_at=starts_at,
        shifts=tuple(
            PlannedShift(
                role=s.role, capacity=s.capacity, starts_at=s.starts_at + offset, ends_at=s.ends_at + offset
            )
            for s in template.shifts
        ),
    )
    previous = session.scalar(
        select(Hearing)
        .join(SeriesOccurrence, SeriesOccurrence.hearing_id == Hearing.id)
        .where(SeriesOccurrence.series_id == series.id, Hearing.starts_at < starts_at)
        .order_by(Hearing.starts_at.desc())
        .limit(1)
    )
    return hearing_service.create_hearing(
        session,
        actor=actor,
        court=series.court,
        plan=plan,
        details=details_of(template),
        previous=previous or template,
    )


def details_of(hearing: Hearing, *, kind: HearingKind | None = None) -> hearing_service.HearingDetails:
    """What a later hearing of the same person repeats: seats' people, languages, notes, reference."""
    return hearing_service.HearingDetails(
        kind=kind or hearing.kind,
        duration_minutes=hearing.duration_minutes,
        judge=hearing.judge,
        languages=tuple(hearing.language_codes),
        respondent_ref=hearing.respondent_ref,
        meeting_point=hearing.meeting_point,
        public_notes=hearing.public_notes,
        private_notes=hearing.private_notes,
        date_confirmed=True,
        courtroom=hearing.courtroom,
    )


def invite_last_team(
    session: Session, *, hearing: Hearing, actor: User, now: datetime, settings: MatchSettings
) -> int:
    """Invite the volunteers of this person's earlier hearings to the same role; how many were."""
    sent = 0
    for member in hearing_service.previous_team(session, hearing=hearing):
        if member.shift_id is None:
            continue
        try:
            invitations.invite(
                session,
                actor=actor,
                shift_id=member.shift_id,
                user_id=member.user.id,
                now=now,
                settings=settings,
            )
        except ServiceError:
            continue  # not free that day, the seat is full...: the coordinator sees the open seat
        sent += 1
    return sent


def open_all_windows(session: Session, *, now: datetime, settings: MatchSettings) -> int:
    """The worker's job: every running series opens the dates its window has reached."""
    made = 0
    for series in session.scalars(
        select(HearingSeries)
        .where(HearingSeries.ended.is_(False))
        .options(selectinload(HearingSeries.occurrences))
        .order_by(HearingSeries.id)
    ):
        try:
            made += len(open_window(session, series=series, actor=None, now=now, settings=settings))
        except PermissionDenied:
            continue  # its coordinator lost this court: a coordinator of the court takes it on
    return made


def skip_date(session: Session, *, actor: User, series: HearingSeries, day: date, reason: str) -> None:
    """Leave one date out (a holiday, a date ICE moved): its hearing, if made, is cancelled."""
    if not scope.may_manage_court(actor, series.court_id):
        raise PermissionDenied()
    if day not in planned_dates(series):
        raise ServiceError("not_in_series", field="day")
    occurrence = next((o for o in series.occurrences if o.occurs_on == day), None)
    if occurrence is not None and occurrence.hearing.status == HearingStatus.SCHEDULED:
        hearing_service.cancel_hearing(session, actor=actor, hearing=occurrence.hearing, reason=reason)
    series.skipped = sorted({*series.skipped, day.isoformat()})
    session.flush()


def change_following(
    session: Session,
    *,
    actor: User,
    series: HearingSeries,
    from_day: date,
    new_first: date | None,
    new_time: time | None,
    now: datetime,
    settings: MatchSettings,
    reason: str = "",
) -> HearingSeries | None:
    """ "This and the following": end the rule before ``from_day``; start a new one, or none.

    With ``new_first`` (and ``new_time``) the later occurrences move, in order, to the new
    rule's dates through the reschedule service; those the new rule has no date for are
    cancelled. Without it, they are all cancelled (the check-ins stop). Nothing is written when
    the new rule is refused.
    """
    if not scope.may_manage_court(actor, series.court_id):
        raise PermissionDenied()
    dates = dates_of(series.rule)
    today = to_local(now, series.court.timezone).date()
    if from_day not in dates or from_day < today:
        raise ServiceError("not_in_series", field="from_day")
    new_dates: list[date] = []
    successor = None
    if new_first is not None:
        if new_first < today:
            raise ServiceError("in_past", field="new_first")
        rec = _following_rule(series, remaining=len([d for d in dates if d >= from_day]), first=new_first)
        new_dates = occurrence_dates(rec)  # refuses before anything is written
        successor = _successor(session, series=series, rec=rec, at=new_time or series.local_time, actor=actor)
    _end_rule(series, kept=[d for d in dates if d < from_day])
    later = sorted((o for o in series.occurrences if o.occurs_on >= from_day), key=lambda o: o.occurs_on)
    for i, occurrence in enumerate(later):
        target = new_dates[i] if i < len(new_dates) else None
        _move_or_cancel(
            session,
            actor=actor,
            occurrence=occurrence,
            successor=successor,
            target=target,
            now=now,
            reason=reason,
        )
    session.flush()
    if successor is not None:
        session.refresh(successor)
        open_window(session, series=successor, actor=actor, now=now, settings=settings)
    return successor


def _following_rule(series: HearingSeries, *, remaining: int, first: date) -> Recurrence:
    """The same repetition from a new first date: as many times as were left, or to the same end."""
    return Recurrence(
        first=first,
        frequency=Frequency(series.frequency),
        interval=series.interval,
        until=series.until_on if series.count is None else None,
        count=remaining if series.count is not None else None,
    )


def _successor(
    session: Session, *, series: HearingSeries, rec: Recurrence, at: time, actor: User
) -> HearingSeries:
    successor = HearingSeries(
        court_id=series.court_id,
        kind=series.kind,
        local_time=at,
        weeks_ahead=series.weeks_ahead,
        template_hearing_id=series.template_hearing_id,
        case_key=series.case_key,
        previous_series_id=series.id,
        created_by_id=actor.id,
    )
    _set_rule(successor, rec)
    session.add(successor)
    session.flush()
    return successor


def _move_or_cancel(
    session: Session,
    *,
    actor: User,
    occurrence: SeriesOccurrence,
    successor: HearingSeries | None,
    target: date | None,
    now: datetime,
    reason: str,
) -> None:
    """One later occurrence: moved to its new date (same services as a single edit), or cancelled."""
    hearing = occurrence.hearing
    scheduled = hearing.status == HearingStatus.SCHEDULED
    if successor is None or target is None:
        if scheduled:
            hearing_service.cancel_hearing(session, actor=actor, hearing=hearing, reason=reason or "-")
        return
    starts = occurrences(target, successor.local_time, successor.court.timezone)
    if scheduled and starts and starts[0] > now:
        hearing_service.reschedule_hearing(
            session,
            actor=actor,
            hearing=hearing,
            court=hearing.court,
            starts_at=starts[0],
            courtroom=hearing.courtroom,
        )
    occurrence.series_id = successor.id
    occurrence.occurs_on = target


def _end_rule(series: HearingSeries, *, kept: list[date]) -> None:
    """The rule keeps only the dates before the split; with none left, the series has ended."""
    have = {o.occurs_on for o in series.occurrences}
    series.ended = all(d in have for d in kept)
    if kept:
        rec = _recurrence(series)
        rec = Recurrence(
            first=rec.first,
            frequency=rec.frequency,
            interval=rec.interval,
            until=kept[-1],
            skipped=frozenset(d for d in rec.skipped if d <= kept[-1]),
        )
        _set_rule(series, rec)
