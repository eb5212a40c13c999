"""Rules about a hearing's seats that do not need the database."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from scheduler.domain.bounds import day_in_range
from scheduler.domain.timezones import NonexistentLocalTime, is_ambiguous, local_to_utc
from scheduler.enums import ShiftRole

# How long before the hearing each role is needed: the team meets the person beforehand,
# and a driver must collect them first.
LEAD_TIME = {
    ShiftRole.ACCOMPANIER: timedelta(minutes=45),
    ShiftRole.INTERPRETER: timedelta(minutes=45),
    ShiftRole.OBSERVER: timedelta(minutes=45),
    ShiftRole.DRIVER: timedelta(minutes=90),
}


def default_shift_window(
    *, role: ShiftRole, hearing_start: datetime, duration_minutes: int
) -> tuple[datetime, datetime]:
    """From the role's lead time before the hearing until the hearing's expected end."""
    return hearing_start - LEAD_TIME[role], hearing_start + timedelta(minutes=duration_minutes)


# --- Respondent privacy --------------------------------------------------------------------

# "A" then 8 or 9 digits, optionally split by dashes, dots or spaces: A123456789, A-123-456-789,
# a 12345678. Not preceded by a letter or digit, so "MARKER-RESP-7731" or "CA12345678X" as part
# of a word is still caught only when the A starts the token.
_A_NUMBER = re.compile(r"(?<![A-Za-z0-9])[Aa][\s.-]*(?:\d[\s.-]*){7,8}\d(?!\d)")


def looks_like_a_number(text: str) -> bool:
    """Whether free text seems to hold an alien registration number, which we must never store."""
    return bool(text) and _A_NUMBER.search(text) is not None


# --- Posting a hearing ---------------------------------------------------------------------

MAX_SEATS_PER_ROLE = 20
MAX_DURATION_MINUTES = 12 * 60
ROLE_ORDER = (ShiftRole.ACCOMPANIER, ShiftRole.INTERPRETER, ShiftRole.DRIVER, ShiftRole.OBSERVER)


class HearingInvalid(ValueError):
    """Field-level refusals: ``errors`` maps a field key to an error code the view translates."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


@dataclass(frozen=True, slots=True)
class SeatSpec:
    """How many people of one role, and (optionally) from when to when, in court wall-clock time."""

    role: ShiftRole
    count: int
    start: time | None = None
    end: time | None = None


@dataclass(frozen=True, slots=True)
class HearingDraft:
    day: date
    at: time
    tz_name: str
    duration_minutes: int
    seats: tuple[SeatSpec, ...]
    # Free-text fields (name -> value) that must not hold an A-number.
    texts: Mapping[str, str] = field(default_factory=dict)
    # Which occurrence of a time that happens twice (the night clocks go back): 0 the first,
    # 1 the second, None not chosen yet (a form refuses an ambiguous time until it is chosen).
    fold: int | None = 0


@dataclass(frozen=True, slots=True)
class PlannedShift:
    role: ShiftRole
    capacity: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class HearingPlan:
    starts_at: datetime
    shifts: tuple[PlannedShift, ...]


def seat_key(role: ShiftRole, part: str) -> str:
    """The error key of one part ("count", "start", "end") of a role's seat row."""
    return f"seat_{role.value}_{part}"


def check_texts(texts: Mapping[str, str]) -> dict[str, str]:
    return {name: "a_number" for name, value in texts.items() if looks_like_a_number(value or "")}


def plan_hearing(*, draft: HearingDraft, now: datetime, allow_past: bool = False) -> HearingPlan:
    """Turn what a coordinator typed into UTC instants and shifts, or refuse field by field.

    Raises HearingInvalid with every problem at once, so the form shows them all together.
    """
    errors = check_texts(draft.texts)
    starts_at = _hearing_start(draft=draft, errors=errors)
    if starts_at is not None and not allow_past and starts_at <= now:
        errors["date"] = "in_past"
    if not 0 < draft.duration_minutes <= MAX_DURATION_MINUTES:
        errors["duration"] = "bad_duration"
    shifts = _plan_shifts(draft=draft, hearing_start=starts_at, errors=errors)
    if not any(spec.count for spec in draft.seats) and "seats" not in errors:
        errors["seats"] = "no_seats"
    if errors:
        raise HearingInvalid(errors)
    assert starts_at is not None
    return HearingPlan(starts_at=starts_at, shifts=tuple(shifts))


def _hearing_start(*, draft: HearingDraft, errors: dict[str, str]) -> datetime | None:
    """The hearing's UTC start, or None with the date or time's refusal noted in ``errors``."""
    if not day_in_range(draft.day):
        errors["date"] = "date_out_of_range"
        return None
    try:
        starts_at = local_to_utc(draft.day, draft.at, draft.tz_name, fold=draft.fold or 0)
    except NonexistentLocalTime:
        errors["time"] = "nonexistent_time"
        return None
    if draft.fold is None and is_ambiguous(starts_at, draft.tz_name):
        errors["time"] = "ambiguous_time"
    return starts_at


def _plan_shifts(
    *, draft: HearingDraft, hearing_start: datetime | None, errors: dict[str, str]
) -> list[PlannedShift]:
    """A shift per role asked for; counts are checked even when the start is not known."""
    shifts: list[PlannedShift] = []
    for spec in draft.seats:
        if spec.count == 0:
            continue
        if not 1 <= spec.count <= MAX_SEATS_PER_ROLE:
            errors[seat_key(spec.role, "count")] = "bad_count"
            continue
        if hearing_start is None or "duration" in errors:
            continue
        planned = _plan_shift(spec=spec, draft=draft, hearing_start=hearing_start, errors=errors)
        if planned is not None:
            shifts.append(planned)
    return shifts


def _plan_shift(
    *, spec: SeatSpec, draft: HearingDraft, hearing_start: datetime, errors: dict[str, str]
) -> PlannedShift | None:
    default_start, default_end = default_shift_window(
        role=spec.role, hearing_start=hearing_start, duration_minutes=draft.duration_minutes
    )
    start, end = default_start, default_end
    try:
        if spec.start is not None:
            start = local_to_utc(draft.day, spec.start, draft.tz_name, fold=draft.fold or 0)
        if spec.end is not None:
            end = local_to_utc(draft.day, spec.end, draft.tz_name, fold=draft.fold or 0)
    except NonexistentLocalTime:
        errors[seat_key(spec.role, "start")] = "nonexistent_time"
        return None
    if end <= start:
        errors[seat_key(spec.role, "end")] = "end_before_start"
        return None
    return PlannedShift(role=spec.role, capacity=spec.count, starts_at=start, ends_at=end)


# --- Moving a hearing ----------------------------------------------------------------------


def move_window(
    *, old_start: datetime, new_start: datetime, window: tuple[datetime, datetime]
) -> tuple[datetime, datetime]:
    """A shift's window moved by the hearing's own offset, so it keeps its place around it."""
    offset = new_start - old_start
    return window[0] + offset, window[1] + offset


# Fields whose change volunteers who signed up must hear about (raises the version).
PUBLIC_FIELDS = frozenset(
    {"starts_at", "court", "courtroom", "meeting_point", "public_notes", "duration_minutes", "kind", "status"}
)
# Fields whose values never go into the change history, only the fact that they changed.
PRIVATE_FIELDS = frozenset({"respondent_ref", "private_notes"})
# What a volunteer holding a seat sees on the hearing's page: a change to any of these is
# mailed to them (scheduler/notifications/messages.py words each one). Wider than
# PUBLIC_FIELDS, which are the ones calendar feeds carry and so raise the iCal SEQUENCE.
VOLUNTEER_VISIBLE_FIELDS = (PUBLIC_FIELDS - {"status"}) | {"judge", "languages", "date_confirmed"}


def diff_fields(*, old: Mapping[str, object], new: Mapping[str, object]) -> dict[str, dict[str, object]]:
    """What changed, for the history: old and new values, except for private fields."""
    changes: dict[str, dict[str, object]] = {}
    for name, value in new.items():
        before = old.get(name)
        if before == value:
            continue
        if name in PRIVATE_FIELDS:
            changes[name] = {"changed": True}
        else:
            changes[name] = {"old": before, "new": value}
    return changes


def raises_version(changed: Mapping[str, object]) -> bool:
    return any(name in PUBLIC_FIELDS for name in changed)


def visible_changes(changed: Mapping[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    """The part of a change volunteers with a seat can see, and so must be told of."""
    return {name: change for name, change in changed.items() if name in VOLUNTEER_VISIBLE_FIELDS}


# --- Duplicates ----------------------------------------------------------------------------


def duplicate_key(*, court_id: int, starts_at: datetime, respondent_ref: str) -> tuple[int, datetime, str]:
    """Same court, same instant, same person (ignoring case and spaces): probably the same hearing."""
    return court_id, starts_at, " ".join(respondent_ref.lower().split())


def new_start(*, day: date, at: time, tz_name: str, now: datetime, fold: int | None = 0) -> datetime:
    """The UTC start of a rescheduled hearing, refused if it does not exist or is past.

    ``fold`` as in HearingDraft: None refuses a time that happens twice until one is chosen.
    """
    if not day_in_range(day):
        raise HearingInvalid({"date": "date_out_of_range"})
    try:
        starts_at = local_to_utc(day, at, tz_name, fold=fold or 0)
    except NonexistentLocalTime:
        raise HearingInvalid({"time": "nonexistent_time"}) from None
    if fold is None and is_ambiguous(starts_at, tz_name):
        raise HearingInvalid({"time": "ambiguous_time"})
    if starts_at <= now:
        raise HearingInvalid({"date": "in_past"})
    return starts_at
