"""Rows as the API shows them: times at the court with its offset, and only what the caller may see.

Who sees what follows the pages: a volunteer with a confirmed seat sees the meeting point and
notes (``hearings.schedule.sees_team``); the respondent reference and private notes go only to a
coordinator of the court whose token says ``read:private`` (``auth.sees_private``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from scheduler.domain.timezones import to_local
from scheduler.models import Court, Hearing, Shift, Signup
from scheduler.shifts.commitments import CommitmentView
from scheduler.shifts.coverage import HearingCoverage


def at_court(instant: datetime, court: Court) -> datetime:
    return to_local(instant, court.timezone)


def court(row: Court) -> dict[str, Any]:
    return {
        "id": row.id,
        "code": row.code,
        "name": row.name,
        "city": row.city,
        "state": row.state,
        "timezone": row.timezone,
        "kind": row.kind.value,
    }


def court_ref(row: Court) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "timezone": row.timezone}


def shift(row: Shift, court_row: Court, filled: int) -> dict[str, Any]:
    return {
        "id": row.id,
        "role": row.role.value,
        "capacity": row.capacity,
        "filled": filled,
        "starts_at": at_court(row.starts_at, court_row),
        "ends_at": at_court(row.ends_at, court_row),
        "status": row.status.value,
    }


def hearing(row: Hearing, *, filled: dict[int, int], sees_team: bool, sees_private: bool) -> dict[str, Any]:
    where = row.court
    return {
        "id": row.id,
        "court": court_ref(where),
        "timezone": where.timezone,
        "starts_at": at_court(row.starts_at, where),
        "ends_at": at_court(row.starts_at + timedelta(minutes=row.duration_minutes), where),
        "kind": row.kind.value,
        "status": row.status.value,
        "courtroom": row.courtroom,
        "judge": row.judge,
        "languages": row.language_codes,
        "duration_minutes": row.duration_minutes,
        "date_confirmed": row.date_confirmed,
        "version": row.version,
        "meeting_point": row.meeting_point if sees_team else None,
        "public_notes": row.public_notes if sees_team else None,
        "respondent_ref": row.respondent_ref if sees_private else None,
        "private_notes": row.private_notes if sees_private else None,
        "cancel_reason": row.cancel_reason or None,
        "shifts": [shift(s, where, filled.get(s.id, 0)) for s in sorted(row.shifts, key=lambda s: s.id)],
    }


def open_seat(row: Shift, filled: int) -> dict[str, Any]:
    where = row.hearing.court
    return {
        "shift_id": row.id,
        "hearing_id": row.hearing_id,
        "court": court_ref(where),
        "hearing_kind": row.hearing.kind.value,
        "role": row.role.value,
        "languages": row.hearing.language_codes,
        "starts_at": at_court(row.starts_at, where),
        "ends_at": at_court(row.ends_at, where),
        "capacity": row.capacity,
        "filled": filled,
    }


def commitment(view: CommitmentView) -> dict[str, Any]:
    where = view.hearing.court
    details = view.sees_details
    return {
        "shift_id": view.shift.id,
        "hearing_id": view.hearing.id,
        "court": court_ref(where),
        "role": view.shift.role.value,
        "status": view.signup.status.value,
        "hearing_status": view.hearing.status.value,
        "team_lead": view.signup.team_lead,
        "starts_at": at_court(view.shift.starts_at, where),
        "ends_at": at_court(view.shift.ends_at, where),
        "courtroom": view.hearing.courtroom,
        "meeting_point": view.hearing.meeting_point if details else None,
        "public_notes": view.hearing.public_notes if details else None,
        "changes": list(view.changes),
    }


def coverage(item: HearingCoverage) -> dict[str, Any]:
    return {
        "hearing_id": item.hearing.id,
        "court": court_ref(item.hearing.court),
        "kind": item.hearing.kind.value,
        "starts_at": item.local_start,
        "needed": item.needed,
        "missing": item.missing,
        "roles": [
            {"role": r.role.value, "needed": r.needed, "filled": r.filled, "missing": r.missing}
            for r in item.roles
        ],
    }


def seat(row: Shift, *, filled: int, mine: Signup | None, sees_details: bool) -> dict[str, Any]:
    """One shift as its page shows it: the caller's own place, and the details a seat unlocks."""
    return {
        **open_seat(row, filled),
        "status": row.status.value,
        "hearing_status": row.hearing.status.value,
        "courtroom": row.hearing.courtroom,
        "my_status": mine.status.value if mine else None,
        "meeting_point": row.hearing.meeting_point if sees_details else None,
        "public_notes": row.hearing.public_notes if sees_details else None,
    }
