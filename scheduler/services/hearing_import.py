"""Importing many hearings from CSV: a preview of every row, then an all-or-nothing commit.

Courts are loaded once into a dict, rows are checked in memory, and the commit writes with
executemany (hearings with RETURNING, then shifts, languages and history rows), so 2,000 rows
take a few seconds at most (bench/import_hearings.py prints the figures).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from scheduler.domain.hearing_import import (
    CourtRef,
    ImportRow,
    mark_duplicates,
    read_numbered_rows,
    validate_row,
)
from scheduler.domain.hearings import duplicate_key
from scheduler.enums import HearingStatus, ShiftStatus
from scheduler.models import AuditEvent, Court, Hearing, HearingLanguage, Shift, User
from scheduler.services import scope
from scheduler.services.errors import ServiceError
from scheduler.types import utcnow


@dataclass(frozen=True, slots=True)
class ImportPreview:
    rows: list[ImportRow]

    @property
    def error_count(self) -> int:
        return sum(1 for r in self.rows if r.errors)

    @property
    def duplicate_count(self) -> int:
        return sum(1 for r in self.rows if r.duplicate_of is not None)

    @property
    def can_commit(self) -> bool:
        return bool(self.rows) and self.error_count == 0


def preview_import(session: Session, *, actor: User, text: str, now: datetime) -> ImportPreview:
    """Every row with its problems and likely duplicates; nothing is written.

    Raises ImportFileInvalid when the file as a whole cannot be read.
    """
    rows = read_numbered_rows(text)
    courts = _courts_by_key(session, actor=actor)
    checked = [validate_row(line=n, values=values, courts=courts, now=now) for n, values in rows]
    return ImportPreview(rows=mark_duplicates(rows=checked, existing=_existing_keys(session, checked)))


def commit_import(
    session: Session,
    *,
    actor: User,
    text: str,
    now: datetime,
    include_duplicates: frozenset[int] = frozenset(),
) -> int:
    """Write every row, or none: refused while any row has an error.

    Likely duplicates are skipped unless their line number is in ``include_duplicates``.
    """
    preview = preview_import(session, actor=actor, text=text, now=now)
    if not preview.can_commit:
        raise ServiceError("import_has_errors")
    rows = [r for r in preview.rows if r.duplicate_of is None or r.line in include_duplicates]
    if not rows:
        return 0
    stamp = utcnow()
    hearing_values = [
        {
            "court_id": r.court.id,
            "starts_at": r.plan.starts_at,
            "duration_minutes": r.duration_minutes,
            "kind": r.kind,
            "status": HearingStatus.SCHEDULED,
            "courtroom": r.text("courtroom"),
            "judge": r.text("judge"),
            "respondent_ref": r.text("respondent_ref"),
            "meeting_point": r.text("meeting_point"),
            "public_notes": r.text("public_notes"),
            "private_notes": r.text("private_notes"),
            "outcome_note": "",
            "cancel_reason": "",
            "date_confirmed": r.date_confirmed,
            "version": 1,
            "case_key": uuid.uuid4().hex,
            "created_by_id": actor.id,
            "created_at": stamp,
            "updated_at": stamp,
        }
        for r in rows
        if r.court is not None and r.plan is not None
    ]
    ids = list(
        session.scalars(insert(Hearing).returning(Hearing.id, sort_by_parameter_order=True), hearing_values)
    )
    shifts, languages, events = [], [], []
    for hearing_id, row in zip(ids, rows, strict=True):
        assert row.plan is not None
        shifts.extend(
            {
                "hearing_id": hearing_id,
                "role": s.role,
                "capacity": s.capacity,
                "starts_at": s.starts_at,
                "ends_at": s.ends_at,
                "status": ShiftStatus.OPEN,
                "created_at": stamp,
                "updated_at": stamp,
            }
            for s in row.plan.shifts
        )
        languages.extend({"hearing_id": hearing_id, "language": code} for code in row.languages)
        events.append(
            {
                "actor_id": actor.id,
                "action": "hearing.imported",
                "object_type": "hearing",
                "object_id": hearing_id,
                "details": {"line": row.line},
                "created_at": stamp,
            }
        )
    if shifts:
        session.execute(insert(Shift), shifts)
    if languages:
        session.execute(insert(HearingLanguage), languages)
    session.execute(insert(AuditEvent), events)
    session.flush()
    return len(ids)


def _courts_by_key(session: Session, *, actor: User) -> dict[str, CourtRef]:
    """Active courts in the coordinator's scope, found by lower-cased name or code."""
    ids = scope.court_ids(actor)
    query = select(Court.id, Court.name, Court.code, Court.timezone).where(Court.active.is_(True))
    if ids is not None:
        query = query.where(Court.id.in_(ids))
    courts: dict[str, CourtRef] = {}
    for court_id, name, code, tz_name in session.execute(query):
        ref = CourtRef(id=court_id, name=name, tz_name=tz_name)
        courts[name.lower()] = ref
        if code:
            courts.setdefault(code.lower(), ref)
    return courts


def _existing_keys(session: Session, rows: list[ImportRow]) -> set[tuple]:
    """Stored hearings that share court, instant and respondent with a row of the file."""
    starts = [r.plan.starts_at for r in rows if r.plan is not None]
    if not starts:
        return set()
    found = session.execute(
        select(Hearing.court_id, Hearing.starts_at, Hearing.respondent_ref).where(
            Hearing.status == HearingStatus.SCHEDULED,
            Hearing.starts_at >= min(starts),
            Hearing.starts_at <= max(starts),
            Hearing.court_id.in_({r.court.id for r in rows if r.court is not None}),
        )
    ).all()
    return {duplicate_key(court_id=c, starts_at=s, respondent_ref=ref) for c, s, ref in found}
