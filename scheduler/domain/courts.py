"""Reading court lists (CSV) into validated rows, before anything is written."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from scheduler.domain.timezones import is_valid_timezone

REQUIRED_COLUMNS = ("name", "city", "state", "address", "timezone")
KINDS = ("court", "ice_office")


@dataclass(frozen=True, slots=True)
class CourtRow:
    code: str | None
    name: str
    city: str
    state: str
    address: str
    timezone: str
    kind: str
    notes: str


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    message: str


def parse_courts_csv(text: str) -> tuple[list[CourtRow], list[RowError]]:
    """Parse a court list with a header row; unknown columns are ignored.

    Returns the good rows and one error per bad row (by line number), so a caller can refuse
    the whole file and say exactly what to fix.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        return [], [RowError(1, "missing columns: " + ", ".join(missing))]
    reader.fieldnames = header
    rows: list[CourtRow] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        values = {k: (v or "").strip() for k, v in raw.items() if k}
        problem = _row_problem(values, seen)
        if problem:
            errors.append(RowError(line, problem))
            continue
        seen.add(values["name"].lower())
        rows.append(
            CourtRow(
                code=values.get("code") or None,
                name=values["name"],
                city=values["city"],
                state=values["state"].upper(),
                address=values["address"],
                timezone=values["timezone"],
                kind=values.get("kind") or "court",
                notes=values.get("notes", ""),
            )
        )
    return rows, errors


def _row_problem(values: dict[str, str], seen: set[str]) -> str | None:
    for column in REQUIRED_COLUMNS:
        if not values.get(column):
            return f"{column} is empty"
    if len(values["name"]) > 200 or len(values["address"]) > 300 or len(values["city"]) > 100:
        return "a value is too long"
    if len(values["state"]) != 2 or not values["state"].isalpha():
        return "state must be a two-letter code"
    if not is_valid_timezone(values["timezone"]):
        return f"unknown time zone {values['timezone']!r}"
    if (values.get("kind") or "court") not in KINDS:
        return "kind must be court or ice_office"
    if values.get("code") and len(values["code"]) > 16:
        return "code is longer than 16 characters"
    if values["name"].lower() in seen:
        return "the same court name appears twice in the file"
    return None
