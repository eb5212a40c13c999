"""Changing through the API: post, edit, move and cancel hearings; claim and drop seats.

The same services as the pages (hearings.schedule, shifts.claims) with the same refusals, in
the same words. A write needs a token that can write; creates and claims take an
Idempotency-Key (scheduler/api/common.py ``writes``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import abort, current_app
from flask_babel import gettext as _

from scheduler.api import present, schemas
from scheduler.api.auth import caller, needs
from scheduler.api.common import bp, documented, idempotent, writes
from scheduler.api.refusals import hearing_invalid, hearing_refused, seat_refused
from scheduler.courts import scope
from scheduler.domain.claims import ClaimOutcome, DropError
from scheduler.domain.hearings import (
    HearingDraft,
    HearingInvalid,
    SeatSpec,
    new_start,
    plan_hearing,
)
from scheduler.enums import HearingKind, ShiftRole
from scheduler.errors import ServiceError
from scheduler.extensions import db
from scheduler.hearings import schedule as hearing_service
from scheduler.hearings.schedule import HearingDetails
from scheduler.models import Court, Hearing
from scheduler.shifts import claims
from scheduler.shifts.facts import rules_from_config
from scheduler.shifts.queries import filled_on
from scheduler.types import utcnow
from scheduler.web.problems import problem

TEXTS = ("respondent_ref", "meeting_point", "public_notes", "private_notes", "courtroom", "judge")


def _court_in_scope(court_id: int) -> Court:
    court = db.session.get(Court, court_id)
    if court is None or not court.active or not scope.may_manage_court(caller().user, court.id):
        abort(
            problem(
                422,
                errors=[
                    {
                        "field": "court_id",
                        "in": "json",
                        "detail": _("No active court in your scope has this name or code."),
                    }
                ],
                code="unknown_court",
            )
        )
    return court


def _managed(hearing_id: int) -> Hearing:
    hearing = hearing_service.load_hearing(db.session(), hearing_id)
    if hearing is None:
        abort(404)
    if not scope.may_manage_court(caller().user, hearing.court_id):
        abort(403)
    return hearing


def _details(args: dict[str, Any], courtroom: str) -> HearingDetails:
    return HearingDetails(
        kind=HearingKind(args["kind"]),
        duration_minutes=args["duration_minutes"],
        judge=args["judge"].strip(),
        courtroom=courtroom.strip(),
        languages=tuple(dict.fromkeys(args["languages"])),
        respondent_ref=args["respondent_ref"].strip(),
        meeting_point=args["meeting_point"].strip(),
        public_notes=args["public_notes"].strip(),
        private_notes=args["private_notes"].strip(),
        date_confirmed=args["date_confirmed"],
    )


def _current(hearing: Hearing) -> dict[str, Any]:
    """The hearing's details as a request would give them: a PATCH changes only what it sends."""
    names = ("duration_minutes", "judge", "respondent_ref", "meeting_point", "public_notes", "private_notes")
    return {
        **{name: getattr(hearing, name) for name in names},
        "kind": hearing.kind.value,
        "languages": hearing.language_codes,
        "date_confirmed": hearing.date_confirmed,
    }


def _draft(args: dict[str, Any], tz_name: str) -> HearingDraft:
    seats = tuple(
        SeatSpec(role=role, count=spec["count"], start=spec["start"], end=spec["end"])
        for role in ShiftRole
        if (spec := args["seats"].get(role.value))
    )
    return HearingDraft(
        day=args["date"],
        at=args["time"],
        tz_name=tz_name,
        duration_minutes=args["duration_minutes"],
        seats=seats,
        texts={name: args.get(name) or "" for name in TEXTS},
        fold=args["occurrence"],
    )


def _shown(hearing: Hearing) -> dict[str, Any]:
    filled = {s.id: filled_on(s) for s in hearing.shifts}
    return present.hearing(hearing, filled=filled, sees_team=True, sees_private=False)


@bp.route("/hearings", methods=["POST"])
@needs(write=True, staff=True)
@writes
@documented(409, 415, 422)
@idempotent
@bp.arguments(schemas.HearingIn)
@bp.response(201, schemas.Hearing)
def create_hearing(args: dict[str, Any]) -> dict[str, Any]:
    """Post a hearing and its seats (the court's own date and time)."""
    court = _court_in_scope(args["court_id"])
    try:
        plan = plan_hearing(draft=_draft(args, court.timezone), now=utcnow())
        hearing = hearing_service.create_hearing(
            db.session(),
            actor=caller().user,
            court=court,
            plan=plan,
            details=_details(args, args["courtroom"]),
        )
    except HearingInvalid as exc:
        hearing_invalid(exc.errors)
    except ServiceError as exc:
        hearing_refused(exc)
    return _shown(hearing_service.load_hearing(db.session(), hearing.id) or hearing)


@bp.route("/hearings/<int:hearing_id>", methods=["PATCH"])
@needs(write=True, staff=True)
@writes
@documented(409, 415, 422)
@bp.arguments(schemas.HearingUpdateIn(partial=True))
@bp.response(200, schemas.Hearing)
def update_hearing(changes: dict[str, Any], hearing_id: int) -> dict[str, Any]:
    """Edit what does not move the hearing (only the fields sent); people with a seat are told."""
    hearing = _managed(hearing_id)
    args = {**_current(hearing), "notify_volunteers": True, **changes}
    try:
        hearing_service.update_details(
            db.session(),
            actor=caller().user,
            hearing=hearing,
            details=_details(args, hearing.courtroom),
            notify_volunteers=args["notify_volunteers"],
        )
    except ServiceError as exc:
        hearing_refused(exc)
    return _shown(hearing)


@bp.route("/hearings/<int:hearing_id>/reschedule", methods=["POST"])
@needs(write=True, staff=True)
@writes
@documented(409, 415, 422)
@bp.arguments(schemas.RescheduleIn)
@bp.response(200, schemas.Hearing)
def reschedule_hearing(args: dict[str, Any], hearing_id: int) -> dict[str, Any]:
    """Move the hearing in time, court or courtroom; its seats move with it and are kept."""
    hearing = _managed(hearing_id)
    court = _court_in_scope(args["court_id"]) if args["court_id"] else hearing.court
    courtroom = hearing.courtroom if args["courtroom"] is None else args["courtroom"].strip()
    try:
        starts_at = new_start(
            day=args["date"], at=args["time"], tz_name=court.timezone, now=utcnow(), fold=args["occurrence"]
        )
        hearing_service.reschedule_hearing(
            db.session(),
            actor=caller().user,
            hearing=hearing,
            court=court,
            starts_at=starts_at,
            courtroom=courtroom,
        )
    except HearingInvalid as exc:
        hearing_invalid(exc.errors)
    except ServiceError as exc:
        hearing_refused(exc)
    return _shown(hearing)


@bp.route("/hearings/<int:hearing_id>/cancel", methods=["POST"])
@needs(write=True, staff=True)
@writes
@documented(409, 415, 422)
@bp.arguments(schemas.CancelIn)
@bp.response(200, schemas.Hearing)
def cancel_hearing(args: dict[str, Any], hearing_id: int) -> dict[str, Any]:
    """Cancel: its shifts close, and everyone on it is told."""
    hearing = _managed(hearing_id)
    try:
        hearing_service.cancel_hearing(
            db.session(), actor=caller().user, hearing=hearing, reason=args["reason"]
        )
    except ServiceError as exc:
        hearing_refused(exc)
    return _shown(hearing)


@bp.route("/shifts/<int:shift_id>/claim", methods=["POST"])
@needs(write=True)
@writes
@documented(409, 415, 422)
@idempotent
@bp.arguments(schemas.ClaimIn)
@bp.response(201, schemas.ClaimDone)
@bp.alt_response(200, schema=schemas.ClaimDone, description="You already had this seat or waitlist place")
def claim_seat(args: dict[str, Any], shift_id: int) -> Any:
    """Take a seat (or, with waitlist, a waitlist place) by the same rules as the page."""
    rules = rules_from_config(current_app.config)
    try:
        result = claims.claim_shift(
            db.session(),
            actor=caller().user,
            shift_id=shift_id,
            now=utcnow(),
            rules=rules,
            join_waitlist=args["waitlist"],
        )
    except (ServiceError, DropError) as exc:
        seat_refused(exc)
    if result.outcome in (ClaimOutcome.FULL, ClaimOutcome.REFUSED):
        seat_refused(result)
    assert result.signup is not None
    body = {"shift_id": shift_id, "outcome": result.outcome.value, "status": result.signup.status.value}
    return body, 200 if result.outcome == ClaimOutcome.ALREADY else 201


@bp.route("/shifts/<int:shift_id>/drop", methods=["POST"])
@needs(write=True)
@writes
@documented(409, 415, 422)
@bp.arguments(schemas.DropIn)
@bp.response(200, schemas.DropDone)
def drop_seat(args: dict[str, Any], shift_id: int) -> dict[str, Any]:
    """Give up a seat or waitlist place; close to the hearing, say why (coordinators are told)."""
    try:
        result = claims.drop_shift(
            db.session(),
            actor=caller().user,
            shift_id=shift_id,
            now=utcnow(),
            cutoff=timedelta(hours=current_app.config["DROP_CUTOFF_HOURS"]),
            reason=args["reason"],
            rules=rules_from_config(current_app.config),
        )
    except (ServiceError, DropError) as exc:
        seat_refused(exc)
    return {"shift_id": shift_id, "late": result.late}
