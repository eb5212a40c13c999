"""Reading a CSV of hearings: every row checked in memory before anything is written.

The file is parsed again at commit time (never trusted from the preview), so the preview and
the commit always agree, and a court deactivated in between is caught.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import TypeVar

from scheduler.domain.hearings import (
    HearingDraft,
    HearingInvalid,
    HearingPlan,
    SeatSpec,
    check_texts,
    duplicate_key,
    plan_hearing,
)
from scheduler.domain.languages import is_known_language
from scheduler.enums import HearingKind, ShiftRole

_T = TypeVar("_T")

COLUMNS = (
    "court",
    "date",
    "time",
    "duration_minutes",
    "kind",
    "courtroom",
    "judge",
    "languages",
    "respondent_ref",
    "accompaniers",
    "interpreters",
    "drivers",
    "observers",
    "meeting_point",
    "public_notes",
    "private_notes",
    "date_confirmed",
)
REQUIRED_COLUMNS = frozenset({"court", "date", "time", "kind"})
SEAT_COLUMNS = {
    "accompaniers": ShiftRole.ACCOMPANIER,
    "interpreters": ShiftRole.INTERPRETER,
    "drivers": ShiftRole.DRIVER,
    "observers": ShiftRole.OBSERVER,
}
TEXT_LIMITS = {"courtroom": 40, "judge": 120, "respondent_ref": 60}
MAX_ROWS = 5000
# Kind spelled as the stored code or as a coordinator would write it.
KIND_ALIASES = {
    "master": HearingKind.MASTER,
    "master calendar": HearingKind.MASTER,
    "mch": HearingKind.MASTER,
    "individual": HearingKind.INDIVIDUAL,
    "merits": HearingKind.INDIVIDUAL,
    "bond": HearingKind.BOND,
    "ice_checkin": HearingKind.ICE_CHECKIN,
    "ice check-in": HearingKind.ICE_CHECKIN,
    "check-in": HearingKind.ICE_CHECKIN,
    "checkin": HearingKind.ICE_CHECKIN,
    "other": HearingKind.OTHER,
}
YES = frozenset({"yes", "y", "true", "1", "si", "sí"})
NO = frozenset({"no", "n", "false", "0", ""})


class ImportFileInvalid(ValueError):
    """The file as a whole cannot be read: ``code`` says why (no header, missing columns ...)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class CourtRef:
    id: int
    name: str
    tz_name: str


@dataclass(frozen=True, slots=True)
class ImportRow:
    line: int
    values: Mapping[str, str]
    # (column, error code) pairs; empty when the row can be written.
    errors: tuple[tuple[str, str], ...]
    court: CourtRef | None = None
    plan: HearingPlan | None = None
    kind: HearingKind | None = None
    languages: tuple[str, ...] = ()
    duration_minutes: int = 60
    date_confirmed: bool = False
    # Set by mark_duplicates: the earlier line in the file, or 0 for a hearing already stored.
    duplicate_of: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def has_error(self, column: str) -> bool:
        return any(name == column for name, _code in self.errors)

    def text(self, column: str) -> str:
        return self.values.get(column, "")


def read_rows(text: str) -> list[dict[str, str]]:
    """The rows as dicts keyed by lower-cased column names, values stripped."""
    return [row for _, row in read_numbered_rows(text)]


def read_numbered_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """The rows with their line in the file (the header is line 1).

    Blank rows and comment rows (a ``court`` starting with ``#``, as the template's example
    row does) are skipped but still counted, so the lines shown match the spreadsheet's.
    """
    if "\x00" in text:  # no text has one; the database refuses it
        raise ImportFileInvalid("nul_byte")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames:
        raise ImportFileInvalid("empty")
    names = [(n or "").strip().lower() for n in reader.fieldnames]
    missing = sorted(REQUIRED_COLUMNS - set(names))
    if missing:
        raise ImportFileInvalid("missing_columns", ", ".join(missing))
    reader.fieldnames = names
    rows = []
    for line, raw in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in raw.items() if k in COLUMNS and isinstance(v, str)}
        if any(row.values()) and not row.get("court", "").startswith(COMMENT_MARK):
            rows.append((line, row))
        if len(rows) > MAX_ROWS:
            raise ImportFileInvalid("too_many_rows", str(MAX_ROWS))
    return rows


def validate_row(
    *, line: int, values: Mapping[str, str], courts: Mapping[str, CourtRef], now: datetime
) -> ImportRow:
    """Check one row: known court, real date and time at that court, future, counts, no A-number."""
    errors: dict[str, str] = {}
    court = _required(errors, "court", courts.get(values.get("court", "").lower()), "unknown_court")
    day = _required(errors, "date", _parse_date(values.get("date", "")), "bad_date")
    at = _required(errors, "time", _parse_time(values.get("time", "")), "bad_time")
    kind = _required(errors, "kind", KIND_ALIASES.get(values.get("kind", "").lower()), "bad_kind")
    duration = _required(
        errors, "duration_minutes", _parse_int(values.get("duration_minutes", "") or "60"), "bad_duration"
    )
    languages = _languages(values, errors)
    seats = _seats(values, errors)
    confirmed = values.get("date_confirmed", "").lower()
    if confirmed not in YES | NO:
        errors["date_confirmed"] = "bad_yes_no"
    for column, limit in TEXT_LIMITS.items():
        if len(values.get(column, "")) > limit:
            errors[column] = "too_long"
    plan = None
    if court is not None and day is not None and at is not None and duration is not None:
        draft = HearingDraft(
            day=day,
            at=at,
            tz_name=court.tz_name,
            duration_minutes=duration,
            seats=seats,
            texts=_texts(values),
        )
        plan = _plan(draft, now=now, errors=errors)
    else:
        for key, code in check_texts(_texts(values, PRIVATE_TEXTS)).items():
            errors.setdefault(key, code)
    return ImportRow(
        line=line,
        values=dict(values),
        errors=tuple(errors.items()),
        court=court,
        plan=plan if not errors else None,
        kind=kind,
        languages=languages,
        duration_minutes=duration or 60,
        date_confirmed=confirmed in YES,
    )


# The free texts checked for an A-number: all of them when the hearing can be planned, else
# only those a hearing cannot be planned without reading (the planner checks the rest).
PLANNED_TEXTS = ("respondent_ref", "meeting_point", "public_notes", "private_notes", "courtroom", "judge")
PRIVATE_TEXTS = ("respondent_ref", "meeting_point", "public_notes", "private_notes")


def _required(errors: dict[str, str], column: str, value: _T | None, code: str) -> _T | None:
    """The value, or None with ``code`` noted against the column."""
    if value is None:
        errors[column] = code
    return value


def _languages(values: Mapping[str, str], errors: dict[str, str]) -> tuple[str, ...]:
    languages = tuple(
        dict.fromkeys(c.strip().lower() for c in values.get("languages", "").split(";") if c.strip())
    )
    if any(not is_known_language(code) for code in languages):
        errors["languages"] = "unknown_language"
    return languages


def _seats(values: Mapping[str, str], errors: dict[str, str]) -> tuple[SeatSpec, ...]:
    seats = []
    for column, role in SEAT_COLUMNS.items():
        count = _parse_int(values.get(column, "") or "0")
        if count is None:
            errors[column] = "bad_count"
        else:
            seats.append(SeatSpec(role=role, count=count))
    return tuple(seats)


def _texts(values: Mapping[str, str], columns: tuple[str, ...] = PLANNED_TEXTS) -> dict[str, str]:
    return {c: values.get(c, "") for c in columns}


def _plan(draft: HearingDraft, *, now: datetime, errors: dict[str, str]) -> HearingPlan | None:
    """The row's hearing planned, or None with the planner's refusals noted by column."""
    try:
        return plan_hearing(draft=draft, now=now)
    except HearingInvalid as exc:
        for key, code in exc.errors.items():
            errors.setdefault(_column_of(key), code)
        return None


def mark_duplicates(*, rows: list[ImportRow], existing: set[tuple[int, datetime, str]]) -> list[ImportRow]:
    """Flag rows that repeat an earlier row of the file, or a hearing already stored."""
    seen: dict[tuple[int, datetime, str], int] = {}
    marked = []
    for row in rows:
        if row.plan is None or row.court is None:
            marked.append(row)
            continue
        key = duplicate_key(
            court_id=row.court.id, starts_at=row.plan.starts_at, respondent_ref=row.text("respondent_ref")
        )
        duplicate_of = 0 if key in existing else seen.get(key)
        seen.setdefault(key, row.line)
        marked.append(replace(row, duplicate_of=duplicate_of))
    return marked


# A row whose court starts with this is a comment: the template's example is never imported.
COMMENT_MARK = "#"
EXAMPLE_NOTE = "Example, not imported (remove the # to use it):"


def template_csv(*, example_day: date) -> str:
    """A header and one example row (on ``example_day``), to download and fill in.

    The example row is a comment row, so a file uploaded with it still in place does not post
    a hearing for "Rosa M." on the example's date.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(
        [
            f"{COMMENT_MARK} {EXAMPLE_NOTE} Chicago Immigration Court",
            example_day.isoformat(),
            "09:00",
            "60",
            "master",
            "4",
            "",
            "es;mam",
            "Rosa M.",
            "2",
            "1",
            "0",
            "0",
            "Lobby, by the elevators",
            "Bring a book; phones off in court.",
            "",
            "yes",
        ]
    )
    return out.getvalue()


def _column_of(key: str) -> str:
    if key.startswith("seat_"):
        role = key.split("_")[1]
        return next((c for c, r in SEAT_COLUMNS.items() if r.value == role), "seats")
    return {"duration": "duration_minutes", "seats": "accompaniers"}.get(key, key)


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _parse_time(text: str) -> time | None:
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        return None


def _parse_int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None
