"""The rapid response blueprint and the helpers its view modules share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, url_for
from werkzeug.wrappers import Response

from scheduler.domain.response import AlertRefused
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.extensions import db
from scheduler.matching.facts import settings_from_config
from scheduler.response import checkin
from scheduler.response.messages import error_text
from scheduler.shifts import claims
from scheduler.shifts.facts import rules_from_config

bp = Blueprint("response", __name__, url_prefix="/response")

# How often the live pages ask for fresh state, in seconds.
POLL_SECONDS = 10


def _run(call: Callable[[], Any], back: str) -> tuple[Any, Response | None]:
    """Run a service and commit; a refusal is a flash and a redirect to ``back``, nothing changed."""
    try:
        result = call()
    except (claims.ShiftMissing, LookupError):
        abort(404)
    except PermissionDenied:
        abort(403)
    except (ServiceError, AlertRefused) as exc:
        db.session.rollback()
        flash(error_text(exc.code), "error")
        return None, redirect(back)
    db.session.commit()
    return result, None


def _settings() -> checkin.CheckInSettings:
    config = current_app.config
    return checkin.CheckInSettings(
        rules=rules_from_config(config),
        match=settings_from_config(config),
        invite_limit=int(config["CHECKIN_INVITES"]),
    )


def _seat(shift_id: int) -> str:
    return url_for("shifts.show_shift", shift_id=shift_id)
