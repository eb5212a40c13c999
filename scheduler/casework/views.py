"""Casework pages: recurring check-ins, cases awaiting a date, reports, court watch."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal, TypeVar

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.3

from scheduler.casework import awaiting, court_watch, reports, series
from scheduler.casework.forms import (
    FREQUENCY_NAMES,
    HELD_NAMES,
    OUTCOME_NAMES,
    AwaitingForm,
    CheckAgainForm,
    FollowingForm,
    NextCheckForm,
    RepeatForm,
    ReportForm,
    SetDateForm,
    SkipForm,
    parse_dates,
    yes_no,
)
from scheduler.casework.messages import MEASURE_NAMES, error_text
from scheduler.courts import scope
from scheduler.domain.recurrence import Frequency, RecurrenceInvalid
from scheduler.domain.timezones import occurrences, to_local
from scheduler.enums import HearingKind, HearingOutcome, HeldStatus
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.extensions import db
from scheduler.hearings import schedule as hearing_service
from scheduler.matching.facts import MatchSettings, settings_from_config
from scheduler.models import AwaitingDate, Court, Hearing, HearingSeries
from scheduler.types import utcnow
from scheduler.web.forms import required
from scheduler.web.security import approved_required, coordinator_required

bp = Blueprint("casework", __name__, url_prefix="/casework")


def _settings() -> MatchSettings:
    return settings_from_config(current_app.config)


def _hearing(hearing_id: int) -> Hearing:
    hearing = hearing_service.load_hearing(db.session(), hearing_id)
    if hearing is None:
        abort(404)
    return hearing


def _managed(hearing_id: int) -> Hearing:
    hearing = _hearing(hearing_id)
    if not scope.may_manage_court(current_user, hearing.court_id):
        abort(403)
    return hearing


def _series(series_id: int) -> HearingSeries:
    found = series.load_series(db.session(), series_id)
    if found is None:
        abort(404)
    if not scope.may_manage_court(current_user, found.court_id):
        abort(403)
    return found


def _entry(entry_id: int) -> AwaitingDate:
    try:
        entry = awaiting.managed_entry(db.session(), actor=current_user, entry_id=entry_id)
    except PermissionDenied:
        abort(403)
    if entry is None:
        abort(404)
    return entry


def _refused(exc: ServiceError | RecurrenceInvalid) -> None:
    db.session.rollback()
    flash(error_text(exc.code), "error")


class _Outcome(enum.Enum):
    REFUSED = "refused"


REFUSED = _Outcome.REFUSED
T = TypeVar("T")


def _saved(
    action: Callable[[], T],
    success: str,
    errors: tuple[type[Exception], ...] = (ServiceError,),
) -> T | Literal[_Outcome.REFUSED]:
    """Run one service call: commit and flash ``success``, or roll back, flash why and say REFUSED."""
    try:
        result = action()
    except errors as exc:
        _refused(exc)  # type: ignore[arg-type]  # errors are ServiceError / RecurrenceInvalid
        return REFUSED
    db.session.commit()
    flash(success, "success")
    return result


def _today(tz_name: str) -> date:
    return to_local(utcnow(), tz_name).date()


def _start(day: date, at: Any, tz_name: str) -> datetime:
    starts = occurrences(day, at, tz_name)
    if not starts:
        raise ServiceError("nonexistent_time", field="time")
    return starts[0]


# --- Recurring check-ins ------------------------------------------------------------------


def _spec(form: RepeatForm) -> series.SeriesSpec:
    by_count = form.end.data == "count"
    return series.SeriesSpec(
        frequency=Frequency(form.frequency.data),
        interval=required(form.interval.data),
        count=form.count.data if by_count else None,
        until=None if by_count else form.until.data,
        skipped=parse_dates(form.skipped.data or ""),
        weeks_ahead=required(form.weeks_ahead.data),
    )


@bp.route("/hearings/<int:hearing_id>/repeat", methods=["GET", "POST"])
@coordinator_required
def repeat_hearing(hearing_id: int) -> str | BaseResponse:
    hearing = _managed(hearing_id)
    form = RepeatForm()
    if form.validate_on_submit():
        made = _saved(
            lambda: series.start_series(
                db.session(),
                actor=current_user,
                hearing=hearing,
                spec=_spec(form),
                now=utcnow(),
                settings=_settings(),
            ),
            _("The check-in repeats. Seats open as the dates come near."),
            errors=(RecurrenceInvalid, ServiceError),
        )
        if made is not REFUSED:
            return redirect(url_for("casework.show_series", series_id=made.id))
    return render_template(
        "casework/repeat.html", form=form, hearing=hearing, FREQUENCY_NAMES=FREQUENCY_NAMES
    )


@bp.get("/series/<int:series_id>")
@coordinator_required
def show_series(series_id: int) -> str:
    found = _series(series_id)
    have = {o.occurs_on for o in found.occurrences}
    return render_template(
        "casework/series.html",
        series=found,
        planned=[d for d in series.planned_dates(found) if d not in have],
        skip_form=SkipForm(),
        following_form=FollowingForm(),
        FREQUENCY_NAMES=FREQUENCY_NAMES,
    )


@bp.post("/series/<int:series_id>/skip")
@coordinator_required
def skip_date(series_id: int) -> BaseResponse:
    found = _series(series_id)
    form = SkipForm()
    if not form.validate_on_submit():
        flash(_("Give the date to skip and a reason."), "error")
        return redirect(url_for("casework.show_series", series_id=found.id))
    _saved(
        lambda: series.skip_date(
            db.session(),
            actor=current_user,
            series=found,
            day=required(form.day.data),
            reason=form.reason.data or "",
        ),
        _("The date is skipped. Anyone with a seat that day is told."),
    )
    return redirect(url_for("casework.show_series", series_id=series_id))


def _following(found: HearingSeries, form: FollowingForm) -> HearingSeries | None:
    moving = form.action.data == "move"
    if moving and form.new_first.data is None:
        raise ServiceError("not_in_series", field="new_first")
    return series.change_following(
        db.session(),
        actor=current_user,
        series=found,
        from_day=required(form.from_day.data),
        new_first=form.new_first.data if moving else None,
        new_time=form.new_time.data if moving else None,
        now=utcnow(),
        settings=_settings(),
        reason=form.reason.data or _("The check-ins change from this date."),
    )


@bp.post("/series/<int:series_id>/following")
@coordinator_required
def change_following(series_id: int) -> BaseResponse:
    found = _series(series_id)
    form = FollowingForm()
    if not form.validate_on_submit():
        flash(_("Give the first date that changes, and the new first date to move them."), "error")
        return redirect(url_for("casework.show_series", series_id=found.id))
    successor = _saved(
        lambda: _following(found, form),
        _("The dates from then on are changed. Everyone with a seat is told."),
        errors=(RecurrenceInvalid, ServiceError),
    )
    moved_to = successor.id if isinstance(successor, HearingSeries) else series_id  # refused or unmoved: stay
    return redirect(url_for("casework.show_series", series_id=moved_to))


# --- Awaiting a date ------------------------------------------------------------------------


@bp.get("/awaiting")
@coordinator_required
def awaiting_list() -> str:
    page = min(max(request.args.get("page", 1, type=int), 1), 1000)
    entries = awaiting.open_entries(db.session(), actor=current_user, page=page)
    return render_template(
        "casework/awaiting_list.html",
        entries=entries,
        page=page,
        check_form=CheckAgainForm(),
        today=utcnow().date(),
    )


@bp.route("/awaiting/new", methods=["GET", "POST"])
@coordinator_required
def new_awaiting() -> str | BaseResponse:
    courts = hearing_service.courts_in_scope(db.session(), user=current_user)
    form = AwaitingForm()
    form.court_id.choices = [SelectChoice(c.id, c.name) for c in courts]
    court = next((c for c in courts if c.id == form.court_id.data), None)
    if (
        form.validate_on_submit()
        and court is not None
        and _listed(form, court, respondent_ref=form.respondent_ref.data or "")
    ):
        return redirect(url_for("casework.awaiting_list"))
    return render_template("casework/awaiting_form.html", form=form, hearing=None)


def _listed(form: AwaitingForm | NextCheckForm, court: Court, **case: Any) -> bool:
    """Put the case on the awaiting list (a new case, or the one after a hearing); True when saved."""
    added = _saved(
        lambda: awaiting.add_awaiting(
            db.session(),
            actor=current_user,
            court=court,
            kind=HearingKind(form.kind.data),
            next_check_on=required(form.next_check_on.data),
            today=_today(court.timezone),
            **case,
        ),
        _("The case is on the list of hearings awaiting a date."),
    )
    return added is not REFUSED


@bp.route("/hearings/<int:hearing_id>/awaiting", methods=["GET", "POST"])
@coordinator_required
def awaiting_after(hearing_id: int) -> str | BaseResponse:
    """The person's next hearing has no date yet: put the case on the list to check later."""
    hearing = _managed(hearing_id)
    form = NextCheckForm()
    if form.validate_on_submit() and _listed(form, hearing.court, previous=hearing):
        return redirect(url_for("casework.awaiting_list"))
    return render_template("casework/awaiting_form.html", form=form, hearing=hearing)


@bp.route("/awaiting/<int:awaiting_id>/date", methods=["GET", "POST"])
@coordinator_required
def set_date(awaiting_id: int) -> str | BaseResponse:
    entry = _entry(awaiting_id)
    form = SetDateForm()
    if form.validate_on_submit() and entry.resolved_at is None:
        hearing = _saved(
            lambda: awaiting.set_date(
                db.session(),
                actor=current_user,
                entry=entry,
                starts_at=_start(required(form.date.data), required(form.time.data), entry.court.timezone),
                now=utcnow(),
                settings=_settings(),
            ),
            _("The hearing is posted, and the last team is invited first."),
        )
        if hearing is not REFUSED:
            return redirect(url_for("hearings.show_hearing", hearing_id=hearing.id))
    return render_template("casework/set_date.html", form=form, entry=entry)


@bp.post("/awaiting/<int:awaiting_id>/check")
@coordinator_required
def check_again(awaiting_id: int) -> BaseResponse:
    entry = _entry(awaiting_id)
    form = CheckAgainForm()
    if form.validate_on_submit():
        _saved(
            lambda: awaiting.check_again(
                db.session(),
                actor=current_user,
                entry=entry,
                next_check_on=required(form.next_check_on.data),
                today=_today(entry.court.timezone),
            ),
            _("The next check date is saved."),
        )
    else:
        flash(_("Give the date to check again."), "error")
    return redirect(url_for("casework.awaiting_list"))


# --- Reports after a hearing -----------------------------------------------------------------


def _answers(form: ReportForm, hearing: Hearing) -> reports.ReportAnswers:
    next_kind = HearingKind(form.next_kind.data) if form.next_kind.data else None
    next_starts_at = None
    if next_kind is not None and form.next_date.data and form.next_time.data and not form.next_to_be_set.data:
        next_starts_at = _start(form.next_date.data, form.next_time.data, hearing.court.timezone)
    return reports.ReportAnswers(
        held=HeldStatus(form.held.data),
        outcome=HearingOutcome(form.outcome.data) if form.outcome.data else None,
        interpreter_present=yes_no(form.interpreter_present.data),
        interpreter_adequate=yes_no(form.interpreter_adequate.data),
        ice_present=yes_no(form.ice_present.data),
        judge=form.judge.data or "",
        courtroom=form.courtroom.data or "",
        staff_note=form.staff_note.data or "",
        next_kind=next_kind,
        next_starts_at=next_starts_at,
        next_to_be_set=bool(form.next_to_be_set.data),
    )


def _report_refusal(hearing: Hearing) -> str | None:
    """Why this person may not file now (a flash text), or None; 404 for someone not on it."""
    if not reports.may_report(hearing, current_user):
        abort(404)
    if reports.report_for(db.session(), hearing_id=hearing.id) is not None:
        return error_text("already_reported")
    if hearing.starts_at > utcnow():
        return error_text("not_yet")
    return error_text("lead_first") if reports.waits_for_lead(hearing, current_user, now=utcnow()) else None


@bp.route("/hearings/<int:hearing_id>/report", methods=["GET", "POST"])
@approved_required
def file_report(hearing_id: int) -> str | BaseResponse:
    hearing = _hearing(hearing_id)
    refusal = _report_refusal(hearing)
    if refusal:
        flash(refusal, "info")
        return redirect(url_for("hearings.show_hearing", hearing_id=hearing.id))
    form = ReportForm()
    if form.validate_on_submit():
        filed = _saved(
            lambda: reports.file_report(
                db.session(),
                actor=current_user,
                hearing=hearing,
                answers=_answers(form, hearing),
                now=utcnow(),
                settings=_settings(),
            ),
            _("Thank you. The report is saved."),
        )
        if filed is not REFUSED:
            return redirect(url_for("casework.my_reports"))
    return render_template("casework/report_form.html", form=form, hearing=hearing)


@bp.get("/reports/mine")
@approved_required
def my_reports() -> str:
    return render_template(
        "casework/my_reports.html",
        filed=reports.my_reports(db.session(), user=current_user),
        to_file=reports.reports_to_file(db.session(), user=current_user, now=utcnow()),
        HELD_NAMES=HELD_NAMES,
        OUTCOME_NAMES=OUTCOME_NAMES,
    )


# --- Court watch ---------------------------------------------------------------------------


def _watch_filters() -> court_watch.Filters:
    year = request.args.get("year", utcnow().year, type=int)
    allowed = scope.court_ids(current_user)
    court_id = request.args.get("court", type=int)
    return court_watch.Filters(
        year=year if 2000 <= year <= 2100 else utcnow().year,
        court_ids=frozenset(allowed) if allowed is not None else None,
        court_id=court_id if court_id and (allowed is None or court_id in allowed) else None,
    )


@bp.get("/court-watch")
@coordinator_required
def court_watch_page() -> str:
    filters = _watch_filters()
    page = min(max(request.args.get("page", 1, type=int), 1), 1000)
    months = court_watch.by_month(db.session(), filters=filters)
    return render_template(
        "casework/court_watch.html",
        rows=court_watch.table(db.session(), filters=filters, page=page),
        months=months,
        bars=court_watch.chart(months),
        filters=filters,
        page=page,
        courts=hearing_service.courts_in_scope(db.session(), user=current_user),
        MEASURES=court_watch.MEASURES,
        MEASURE_NAMES=MEASURE_NAMES,
        chart_size=(court_watch.CHART_WIDTH, court_watch.CHART_HEIGHT),
    )


@bp.get("/court-watch.csv")
@coordinator_required
def court_watch_csv() -> Response:
    filters = _watch_filters()
    page = min(max(request.args.get("page", 1, type=int), 1), 1000)
    names = {k: str(v) for k, v in MEASURE_NAMES.items()}
    header = court_watch.csv_header(
        names, court=_("Court"), judge=_("Judge"), month=_("Month"), rate=_("rate")
    )
    text = court_watch.to_csv(court_watch.table(db.session(), filters=filters, page=page), header=header)
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="court-watch-{filters.year}.csv"'},
    )


@bp.app_context_processor
def _casework_panel() -> dict[str, object]:
    return {"casework_panel": casework_panel}


def casework_panel(hearing: Hearing) -> dict[str, object]:
    """What the hearing page shows of the case: its report, its series, what this person may do."""
    coordinator = current_user.is_coordinator and scope.may_manage_court(current_user, hearing.court_id)
    report = reports.report_for(db.session(), hearing_id=hearing.id)
    return {
        "coordinator": coordinator,
        "report": report if coordinator else None,
        "reported": report is not None,
        "series": series.series_of(db.session(), hearing_id=hearing.id) if coordinator else None,
        "past": hearing.starts_at <= utcnow(),
        "may_report": report is None
        and hearing.starts_at <= utcnow()
        and reports.may_report(hearing, current_user)
        and not reports.waits_for_lead(hearing, current_user, now=utcnow()),
        "is_checkin": hearing.kind == HearingKind.ICE_CHECKIN,
        "HELD_NAMES": HELD_NAMES,
        "OUTCOME_NAMES": OUTCOME_NAMES,
    }
