"""Reading through the API: courts, hearings, open seats, a person's commitments, coverage.

Each list pages by keyset (scheduler/api/paging.py) and each read carries an ETag. The rows come
from the same queries as the pages; ``present`` shows only what the caller may see.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from scheduler import audit
from scheduler.api import paging, present, schemas
from scheduler.api.auth import caller, needs, sees_private
from scheduler.api.common import bp, documented, etagged
from scheduler.courts import queries as court_queries
from scheduler.courts import scope
from scheduler.domain.claims import sees_seat_details
from scheduler.enums import HearingStatus
from scheduler.errors import PermissionDenied
from scheduler.extensions import db
from scheduler.hearings import schedule as hearing_service
from scheduler.models import Court, Hearing, Shift
from scheduler.shifts import coverage as coverage_service
from scheduler.shifts import locking, open_seats
from scheduler.shifts import queries as shift_queries
from scheduler.shifts.commitments import my_commitments
from scheduler.shifts.facts import rules_from_config
from scheduler.types import utcnow
from scheduler.web.problems import problem

# A coordinator's day rarely holds more hearings than this; the answer says so when it does.
COVERAGE_LIMIT = 500


@bp.route("/courts", methods=["GET"])
@etagged
@documented()
@bp.arguments(schemas.PageArgs, location="query")
@bp.response(200, schemas.CourtPage)
def list_courts(args: dict[str, Any]) -> dict[str, Any]:
    """Active courts and ICE offices, by id."""
    key = paging.decode(args["cursor"], by_time=False)
    query = paging.after(court_queries.active_courts_query().order_by(None), key, Court.id, Court.id)
    rows = list(db.session.scalars(query.order_by(Court.id).limit(args["limit"] + 1)))
    items, cursor = paging.page(rows, args["limit"], lambda c: (c.id, c.id))
    return {"items": [present.court(c) for c in items], "next_cursor": cursor}


@bp.route("/hearings", methods=["GET"])
@needs(staff=True)
@etagged
@documented()
@bp.arguments(schemas.HearingArgs, location="query")
@bp.response(200, schemas.HearingPage)
def list_hearings(args: dict[str, Any]) -> dict[str, Any]:
    """Hearings in the coordinator's courts, by start (upcoming only unless include_past)."""
    key = paging.decode(args["cursor"], by_time=True)
    query = select(Hearing).where(scope.hearing_filter(caller().user))
    if args["court_id"]:
        query = query.where(Hearing.court_id == args["court_id"])
    if not args["include_past"]:
        query = query.where(Hearing.starts_at >= utcnow())
    query = paging.after(query, key, Hearing.starts_at, Hearing.id).order_by(Hearing.starts_at, Hearing.id)
    options = (joinedload(Hearing.court), selectinload(Hearing.languages), selectinload(Hearing.shifts))
    rows = list(db.session.scalars(query.options(*options).limit(args["limit"] + 1)))
    items, cursor = paging.page(rows, args["limit"], lambda h: (h.starts_at, h.id))
    filled = shift_queries.filled_counts(db.session(), [s.id for h in items for s in h.shifts])
    shown = [present.hearing(h, filled=filled, sees_team=True, sees_private=False) for h in items]
    return {"items": shown, "next_cursor": cursor}


@bp.route("/hearings/<int:hearing_id>", methods=["GET"])
@etagged
@documented()
@bp.response(200, schemas.Hearing)
def get_hearing(hearing_id: int) -> dict[str, Any]:
    """One hearing: coordinators of its court, and volunteers with a seat or waitlist place on it."""
    user = caller().user
    hearing = hearing_service.load_hearing(db.session(), hearing_id)
    if hearing is None:
        abort(404)
    try:
        access = hearing_service.hearing_access(hearing, user)
    except PermissionDenied:
        abort(403)
    if access is None:
        abort(404)  # a volunteer is not told that it exists
    private = sees_private(hearing.court_id)
    filled = {s.id: shift_queries.filled_on(s) for s in hearing.shifts}
    shown = present.hearing(hearing, filled=filled, sees_team=access.sees_team, sees_private=private)
    if private:
        _note_private_access(hearing.id)
    return shown


def _note_private_access(hearing_id: int) -> None:
    """As on the hearing's page: who read the private details is written down (the one GET write)."""
    audit.record_access(
        db.session(),
        actor=caller().user,
        action="hearing.private_viewed",
        object_type="hearing",
        object_id=hearing_id,
    )
    db.session.commit()


@bp.route("/shifts/open", methods=["GET"])
@etagged
@documented()
@bp.arguments(schemas.OpenSeatArgs, location="query")
@bp.response(200, schemas.OpenSeatPage)
def list_open_seats(args: dict[str, Any]) -> dict[str, Any]:
    """Open seats ahead (the volunteers' list); ``fits`` keeps those a claim would accept now."""
    key, now, limit = paging.decode(args["cursor"], by_time=True), utcnow(), args["limit"]
    filters = shift_queries.ShiftFilters(
        court_ids=(args["court_id"],) if args["court_id"] else (),
        roles=(args["role"],) if args["role"] else (),
        languages=(args["language"],) if args["language"] else (),
    )
    query = shift_queries.open_shifts_query(filters=filters, now=now, horizon=shift_queries.DEFAULT_HORIZON)
    query = paging.after(query, key, Shift.starts_at, Shift.id)
    rows = list(db.session.scalars(query.limit(limit + 1)).unique())
    items, cursor = paging.page(rows, limit, lambda s: (s.starts_at, s.id))
    if args["fits"]:
        rules = rules_from_config(current_app.config)
        items = open_seats.claimable(
            db.session(), user_id=caller().user.id, shifts=items, now=now, rules=rules
        )
    filled = shift_queries.filled_counts(db.session(), [s.id for s in items])
    return {"items": [present.open_seat(s, filled.get(s.id, 0)) for s in items], "next_cursor": cursor}


@bp.route("/shifts/<int:shift_id>", methods=["GET"])
@etagged
@documented()
@bp.response(200, schemas.Seat)
def get_shift(shift_id: int) -> dict[str, Any]:
    """One shift: any volunteer (as on its page); coordinators of its court, or with a place on it."""
    user = caller().user
    shift = shift_queries.shift_for_page(db.session(), shift_id)
    if shift is None:
        abort(404)
    mine = locking.own_signup(db.session(), shift_id=shift.id, user_id=user.id)
    manages = user.is_coordinator and shift_queries.manageable(user, shift)
    if user.is_coordinator and not manages and mine is None:
        abort(403)
    cancelled = shift.hearing.status == HearingStatus.CANCELLED
    details = manages or (mine is not None and sees_seat_details(mine.status, hearing_cancelled=cancelled))
    return present.seat(shift, filled=shift_queries.filled_on(shift), mine=mine, sees_details=details)


@bp.route("/commitments", methods=["GET"])
@etagged
@documented()
@bp.response(200, schemas.Commitments)
def list_commitments() -> dict[str, Any]:
    """The caller's own seats and waitlist places: upcoming, and the latest past ones."""
    found = my_commitments(db.session(), user=caller().user, now=utcnow())
    return {
        "upcoming": [present.commitment(v) for v in found.upcoming],
        "past": [present.commitment(v) for v in found.past],
    }


@bp.route("/coverage", methods=["GET"])
@needs(staff=True)
@etagged
@documented()
@bp.arguments(schemas.CoverageArgs, location="query")
@bp.response(200, schemas.Coverage)
def day_coverage(args: dict[str, Any]) -> dict[str, Any]:
    """Seats needed and filled for each hearing on one day in the coordinator's courts."""
    filters = coverage_service.Filters(court_id=args["court_id"], day=args["day"])
    board = coverage_service.dashboard(
        db.session(),
        user=caller().user,
        filters=filters,
        now=utcnow(),
        per_page=COVERAGE_LIMIT,
        cap=COVERAGE_LIMIT,
    )
    if board.page.more:
        abort(problem(422, code="too_many", extra={"limit": COVERAGE_LIMIT}))
    hearings = [present.coverage(item) for _day, items in board.days for item in items]
    return {"day": args["day"], "hearings": hearings}
