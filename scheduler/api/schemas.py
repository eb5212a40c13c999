"""Request and response shapes of /api/v1/ (marshmallow); the OpenAPI document is built from them.

Inputs are bounded where they are read: ids are 1 to 2**31 - 1, texts have the pages' lengths
and no NUL byte, dates fall between 1900 and 2100, unknown fields are refused. Times go out in
ISO 8601 with the court's offset, next to the court's zone name.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from scheduler.domain.bounds import FIRST_DAY, INT32_MAX, LAST_DAY
from scheduler.domain.hearings import MAX_DURATION_MINUTES, MAX_SEATS_PER_ROLE
from scheduler.domain.languages import LANGUAGE_CODES
from scheduler.enums import CourtKind, HearingKind, HearingStatus, ShiftRole, ShiftStatus, SignupStatus

MAX_PAGE = 100


def _no_nul(value: str) -> None:
    if "\x00" in value:
        raise ValidationError("nul")


def _day_in_range(value: Any) -> None:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValidationError("date_range")


def text(max_length: int, **kwargs: Any) -> fields.String:
    return fields.String(validate=[validate.Length(max=max_length), _no_nul], **kwargs)


def ident(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(1, INT32_MAX), **kwargs)


def day(**kwargs: Any) -> fields.Date:
    return fields.Date(validate=_day_in_range, **kwargs)


def choice(values: Any, **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf([getattr(v, "value", v) for v in values]), **kwargs)


# --- Output --------------------------------------------------------------------------------


class Court(Schema):
    id = fields.Integer(required=True)
    code = fields.String(allow_none=True, required=True)
    name = fields.String(required=True)
    city = fields.String(required=True)
    state = fields.String(required=True)
    timezone = fields.String(required=True, metadata={"description": "IANA zone name"})
    kind = choice(CourtKind, required=True)


class CourtRef(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    timezone = fields.String(required=True)


class Shift(Schema):
    id = fields.Integer(required=True)
    role = choice(ShiftRole, required=True)
    capacity = fields.Integer(required=True)
    filled = fields.Integer(required=True)
    starts_at = fields.DateTime(required=True, metadata={"description": "ISO 8601, the court's offset"})
    ends_at = fields.DateTime(required=True)
    status = choice(ShiftStatus, required=True)


class Hearing(Schema):
    id = fields.Integer(required=True)
    court = fields.Nested(CourtRef, required=True)
    timezone = fields.String(required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    kind = choice(HearingKind, required=True)
    status = choice(HearingStatus, required=True)
    courtroom = fields.String(required=True)
    judge = fields.String(required=True)
    languages = fields.List(fields.String(), required=True)
    duration_minutes = fields.Integer(required=True)
    date_confirmed = fields.Boolean(required=True)
    version = fields.Integer(required=True)
    meeting_point = fields.String(allow_none=True, required=True, metadata={"description": "with a seat"})
    public_notes = fields.String(allow_none=True, required=True)
    respondent_ref = fields.String(
        allow_none=True, required=True, metadata={"description": "coordinators in scope, read:private"}
    )
    private_notes = fields.String(allow_none=True, required=True)
    cancel_reason = fields.String(allow_none=True, required=True)
    shifts = fields.List(fields.Nested(Shift), required=True)


class Paged(Schema):
    next_cursor = fields.String(
        allow_none=True, required=True, metadata={"description": "null on the last page"}
    )


class CourtPage(Paged):
    items = fields.List(fields.Nested(Court), required=True)


class HearingPage(Paged):
    items = fields.List(fields.Nested(Hearing), required=True)


class OpenSeat(Schema):
    shift_id = fields.Integer(required=True)
    hearing_id = fields.Integer(required=True)
    court = fields.Nested(CourtRef, required=True)
    hearing_kind = choice(HearingKind, required=True)
    role = choice(ShiftRole, required=True)
    languages = fields.List(fields.String(), required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    capacity = fields.Integer(required=True)
    filled = fields.Integer(required=True)


class Seat(OpenSeat):
    status = choice(ShiftStatus, required=True)
    hearing_status = choice(HearingStatus, required=True)
    courtroom = fields.String(required=True)
    my_status = choice(
        SignupStatus, allow_none=True, required=True, metadata={"description": "your place on it"}
    )
    meeting_point = fields.String(
        allow_none=True, required=True, metadata={"description": "a confirmed seat"}
    )
    public_notes = fields.String(allow_none=True, required=True)


class OpenSeatPage(Paged):
    items = fields.List(fields.Nested(OpenSeat), required=True)


class Commitment(Schema):
    shift_id = fields.Integer(required=True)
    hearing_id = fields.Integer(required=True)
    court = fields.Nested(CourtRef, required=True)
    role = choice(ShiftRole, required=True)
    status = choice(SignupStatus, required=True)
    hearing_status = choice(HearingStatus, required=True)
    team_lead = fields.Boolean(required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    courtroom = fields.String(required=True)
    meeting_point = fields.String(allow_none=True, required=True, metadata={"description": "confirmed seats"})
    public_notes = fields.String(allow_none=True, required=True)
    changes = fields.List(fields.String(), required=True)


class Commitments(Schema):
    upcoming = fields.List(fields.Nested(Commitment), required=True)
    past = fields.List(fields.Nested(Commitment), required=True)


class RoleCoverage(Schema):
    role = choice(ShiftRole, required=True)
    needed = fields.Integer(required=True)
    filled = fields.Integer(required=True)
    missing = fields.Integer(required=True)


class HearingCoverage(Schema):
    hearing_id = fields.Integer(required=True)
    court = fields.Nested(CourtRef, required=True)
    kind = choice(HearingKind, required=True)
    starts_at = fields.DateTime(required=True)
    needed = fields.Integer(required=True)
    missing = fields.Integer(required=True)
    roles = fields.List(fields.Nested(RoleCoverage), required=True)


class Coverage(Schema):
    day = fields.Date(required=True)
    hearings = fields.List(fields.Nested(HearingCoverage), required=True)


class ClaimDone(Schema):
    shift_id = fields.Integer(required=True)
    outcome = fields.String(
        required=True, validate=validate.OneOf(["confirmed", "waitlisted", "already"]), metadata={}
    )
    status = choice(SignupStatus, required=True)


class DropDone(Schema):
    shift_id = fields.Integer(required=True)
    late = fields.Boolean(required=True, metadata={"description": "coordinators were alerted"})


class Problem(Schema):
    """RFC 9457; ``code`` names the refusal for programs, ``errors`` lists field problems."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    code = fields.String()
    errors = fields.List(fields.Dict())


# --- Input ---------------------------------------------------------------------------------


class PageArgs(Schema):
    cursor = text(400, load_default=None, metadata={"description": "next_cursor of the page before"})
    limit = fields.Integer(load_default=50, validate=validate.Range(1, MAX_PAGE))


class HearingArgs(PageArgs):
    court_id = ident(load_default=None)
    include_past = fields.Boolean(load_default=False)


class OpenSeatArgs(PageArgs):
    court_id = ident(load_default=None)
    role = choice(ShiftRole, load_default=None)
    language = choice(LANGUAGE_CODES, load_default=None)
    fits = fields.Boolean(load_default=False, metadata={"description": "only seats a claim would accept"})


class CoverageArgs(Schema):
    day = day(required=True, metadata={"description": "YYYY-MM-DD, each court's own day"})
    court_id = ident(load_default=None)


class SeatIn(Schema):
    count = fields.Integer(required=True, validate=validate.Range(0, MAX_SEATS_PER_ROLE))
    start = fields.Time(load_default=None, metadata={"description": "HH:MM at the court"})
    end = fields.Time(load_default=None)


class SeatsIn(Schema):
    accompanier = fields.Nested(SeatIn, load_default=None)
    interpreter = fields.Nested(SeatIn, load_default=None)
    driver = fields.Nested(SeatIn, load_default=None)
    observer = fields.Nested(SeatIn, load_default=None)


class DetailsIn(Schema):
    kind = choice(HearingKind, required=True)
    duration_minutes = fields.Integer(required=True, validate=validate.Range(1, MAX_DURATION_MINUTES))
    judge = text(120, load_default="")
    languages = fields.List(choice(LANGUAGE_CODES), load_default=list, validate=validate.Length(max=20))
    respondent_ref = text(60, load_default="")
    meeting_point = text(300, load_default="")
    public_notes = text(4000, load_default="")
    private_notes = text(4000, load_default="")
    date_confirmed = fields.Boolean(load_default=False)


class WhenIn(Schema):
    date = day(required=True, metadata={"description": "YYYY-MM-DD at the court"})
    time = fields.Time(required=True, metadata={"description": "HH:MM at the court"})
    occurrence = fields.Integer(
        load_default=0,
        validate=validate.OneOf([0, 1]),
        metadata={"description": "the night clocks go back: 0 the first such time, 1 the second"},
    )


class HearingIn(DetailsIn, WhenIn):
    court_id = ident(required=True)
    courtroom = text(40, load_default="")
    seats = fields.Nested(SeatsIn, required=True)


class HearingUpdateIn(DetailsIn):
    notify_volunteers = fields.Boolean(load_default=True)


class RescheduleIn(WhenIn):
    court_id = ident(load_default=None, metadata={"description": "another court in your scope"})
    courtroom = text(40, load_default=None)


class CancelIn(Schema):
    reason = text(1000, required=True)


class ClaimIn(Schema):
    waitlist = fields.Boolean(load_default=False, metadata={"description": "join the waitlist if full"})


class DropIn(Schema):
    reason = text(500, load_default="", metadata={"description": "needed close to the hearing"})
