"""Coverage dashboard, month calendar and the hearing page."""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request
from flask_login import current_user

from scheduler import audit
from scheduler.domain.languages import is_known_language
from scheduler.enums import HearingKind
from scheduler.errors import PermissionDenied
from scheduler.extensions import db
from scheduler.hearings import edit_views, import_views  # noqa: F401  (register their views)
from scheduler.hearings import schedule as hearing_service
from scheduler.hearings.views import bp
from scheduler.models import Hearing
from scheduler.shifts import coverage as dashboard_service
from scheduler.types import utcnow
from scheduler.web.security import approved_required, coordinator_required

__all__ = ["bp"]


def _filters() -> dashboard_service.Filters:
    args = request.args
    kind = args.get("kind", "")
    language = args.get("language", "")
    return dashboard_service.Filters(
        court_id=args.get("court", type=int),
        kind=HearingKind(kind) if kind in HearingKind._value2member_map_ else None,
        language=language if is_known_language(language) else None,
        only_unfilled=args.get("unfilled") == "1",
        weeks=min(max(args.get("weeks", 4, type=int), 1), dashboard_service.MAX_WEEKS),
        day=_day(args.get("day")),
    )


def _day(text: str | None) -> date | None:
    """A day from the query string (a month-calendar link); a bad or absurd one is ignored."""
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is not None and 2000 <= day.year <= 2100 else None


def _filter_args(filters: dashboard_service.Filters) -> dict[str, object]:
    values = {
        "court": filters.court_id,
        "kind": filters.kind.value if filters.kind else None,
        "language": filters.language,
        "unfilled": "1" if filters.only_unfilled else None,
        "weeks": filters.weeks,
        "day": filters.day.isoformat() if filters.day else None,
    }
    return {k: v for k, v in values.items() if v}


@bp.get("/")
@coordinator_required
def dashboard() -> str:
    filters = _filters()
    per_page = min(max(request.args.get("per_page", 50, type=int), 1), 200)
    board = dashboard_service.dashboard(
        db.session(),
        user=current_user,
        filters=filters,
        now=utcnow(),
        page=request.args.get("page", 1, type=int),
        per_page=per_page,
    )
    summary = dashboard_service.week_summary(db.session(), user=current_user, now=utcnow())
    courts = hearing_service.courts_in_scope(db.session(), user=current_user)
    return render_template(
        "hearings/dashboard.html",
        board=board,
        summary=summary,
        courts=courts,
        filters=filters,
        filter_args=_filter_args(filters),
        per_page=per_page,
    )


@bp.get("/calendar")
@coordinator_required
def calendar() -> str:
    today = utcnow().date()
    year = request.args.get("year", today.year, type=int)
    month = request.args.get("month", today.month, type=int)
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        year, month = today.year, today.month
    filters = _filters()
    cal = dashboard_service.month_calendar(
        db.session(), user=current_user, filters=filters, year=year, month=month
    )
    courts = hearing_service.courts_in_scope(db.session(), user=current_user)
    return render_template(
        "hearings/calendar.html",
        cal=cal,
        courts=courts,
        filters=filters,
        filter_args=_filter_args(filters),
        month_start=date(year, month, 1),
        today=today,
    )


@bp.get("/<int:hearing_id>")
@approved_required
def show_hearing(hearing_id: int) -> str:
    """Coordinators of the court see everything; a volunteer only a hearing they hold a seat on."""
    hearing = hearing_service.load_hearing(db.session(), hearing_id)
    if hearing is None:
        abort(404)
    try:
        access = hearing_service.hearing_access(hearing, current_user)
    except PermissionDenied:
        abort(403)
    if access is None:
        abort(404)  # do not tell a volunteer that a hearing they are not on exists
    if access.manages:
        return _coordinator_page(hearing)
    return render_template(
        "hearings/show.html",
        hearing=hearing,
        coordinator=False,
        sees_team=access.sees_team,
        history=[],
        past_team=[],
    )


def _coordinator_page(hearing: Hearing) -> str:
    """The whole hearing, private notes too, and the audit row that says who looked."""
    audit.record_access(
        db.session(),
        actor=current_user,
        action="hearing.private_viewed",
        object_type="hearing",
        object_id=hearing.id,
    )
    page = render_template(
        "hearings/show.html",
        hearing=hearing,
        coordinator=True,
        history=hearing_service.history(db.session(), hearing_id=hearing.id),
        past_team=hearing_service.previous_team(db.session(), hearing=hearing),
    )
    # After rendering: a commit first would expire the hearing and every row loaded with it.
    db.session.commit()
    return page
