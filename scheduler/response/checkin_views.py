"""Check-in on the day and the coordinators' board for today.

Seat pages and the volunteer's home show the check-in buttons and the alert button through the
template helpers registered here (reads only: a GET writes nothing).
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from scheduler.courts import scope
from scheduler.domain.response import alert_window
from scheduler.enums import CheckInState, HearingStatus
from scheduler.extensions import db
from scheduler.models import Shift, Signup
from scheduler.response import board, checkin
from scheduler.response.common_views import POLL_SECONDS, _run, _seat, _settings, bp
from scheduler.response.forms import CheckInForm
from scheduler.response.messages import names
from scheduler.shifts import locking
from scheduler.types import utcnow
from scheduler.web.security import approved_required, coordinator_required


@bp.app_context_processor
def on_the_day_helpers() -> dict[str, Any]:
    """Template helpers for seat pages and the volunteer's home (read only)."""
    return {
        "checkin_today": _checkin_today,
        "alert_offered": _alert_offered,
        "month_label": lambda day: format_date(day, "MMMM yyyy"),
        **names(),
    }


def _checkin_today(signup: Signup | None) -> CheckInState | bool | None:
    return checkin.todays_state(db.session(), signup=signup, now=utcnow())


def _alert_offered(shift: Shift, mine: Signup | None) -> bool:
    hearing = shift.hearing
    if hearing.status == HearingStatus.CANCELLED:
        return False
    holder = mine is not None and mine.status == "confirmed"
    if not holder and not scope.may_manage_court(current_user, hearing.court_id):
        return False
    opens, closes = alert_window(hearing_start=hearing.starts_at, duration_minutes=hearing.duration_minutes)
    return opens <= utcnow() <= closes


@bp.post("/shifts/<int:shift_id>/checkin")
@approved_required
def check_in(shift_id: int) -> Response:
    form = CheckInForm()
    if locking.own_signup(db.session(), shift_id=shift_id, user_id=current_user.id) is None:
        abort(403)
    if not form.validate_on_submit():
        abort(400)
    state = CheckInState(form.state.data)
    result, failed = _run(
        lambda: checkin.check_in(
            db.session(),
            actor=current_user,
            shift_id=shift_id,
            state=state,
            now=utcnow(),
            settings=_settings(),
        ),
        _seat(shift_id),
    )
    if failed:
        return failed
    flash(_CHECKIN_FLASH[result.state](), "success")
    if result.state == CheckInState.CANT_MAKE_IT:
        return redirect(url_for("main.home"))
    return redirect(_seat(shift_id))


_CHECKIN_FLASH = {
    CheckInState.HERE: lambda: _("Thank you. Your team lead and coordinators see that you are here."),
    CheckInState.LATE: lambda: _("Thank you. Your coordinators see that you are running late."),
    CheckInState.CANT_MAKE_IT: lambda: _(
        "Thank you for telling us. Your seat is free again and the coordinators are told."
    ),
}


@bp.get("/today")
@coordinator_required
def today() -> str:
    return render_template("response/today.html", poll_seconds=POLL_SECONDS, **_board())


@bp.get("/today/board")
@coordinator_required
def today_board() -> str:
    return render_template("response/_board.html", **_board())


def _board() -> dict[str, Any]:
    return {
        "hearings": board.today_board(db.session(), actor=current_user, now=utcnow()),
        "open_incidents": board.open_incidents(db.session(), actor=current_user),
    }
