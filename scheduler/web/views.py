"""Home, health check and the language switch."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from scheduler.extensions import csrf, db, limiter
from scheduler.shifts import home as home_service
from scheduler.web.forms import LanguageForm
from scheduler.web.security import next_from_request, public, safe_next

bp = Blueprint("main", __name__)
HEALTHZ_TIMEOUT_MS = 500


@bp.get("/")
@public
def home() -> str | tuple[str, int] | Response:
    if not current_user.is_authenticated:
        return render_template("web/welcome.html")
    if not current_user.is_approved:
        return render_template("web/status.html")
    if current_user.is_coordinator:
        # The coverage dashboard is a coordinator's home (it shows pending approvals too).
        return redirect(url_for("hearings.dashboard"))
    summary = home_service.volunteer_summary(db.session(), user=current_user)
    return render_template("web/home_volunteer.html", summary=summary)


@bp.get("/healthz")
@public
@limiter.exempt
@csrf.exempt
def healthz() -> tuple[dict[str, str], int] | tuple[dict[str, str], int, dict[str, str]]:
    try:
        if db.session.get_bind().dialect.name == "postgresql":
            # Its own short bound: a health check answers within a second, whatever else waits.
            db.session.execute(text(f"SET LOCAL statement_timeout = {HEALTHZ_TIMEOUT_MS}"))
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        retry = str(current_app.config["DB_UNAVAILABLE_RETRY_AFTER"])
        return {"status": "error", "reason": "database unavailable"}, 503, {"Retry-After": retry}
    return {"status": "ok"}, 200


@bp.post("/language")
@public
def set_language() -> Response:
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            current_user.locale = form.lang.data
            db.session.commit()
    return redirect(safe_next(next_from_request()))
