"""Importing many hearings from CSV: a preview of every row, then an all-or-nothing commit.

Courts are loaded once into a dict, rows are checked in memory, and the commit writes in
batches of ``BATCH_ROWS`` rows, each a handful of multi-row statements on both databases
(hearings with RETURNING, then shifts, languages and history rows), all in the caller's one
transaction: every row or none. After each batch a ``progress(done, total)`` callback, if
given, hears how far it got (the import page shows it for large files).

The hearings' ids come back with their ``case_key`` (a fresh random value per row) rather
than in parameter order: ``sort_by_parameter_order`` makes SQLite insert one row per
statement, 2,000 statements for 2,000 rows. bench/import_hearings.py prints the figures.

The feed change journal (``scheduler.feeds.changes``) marks every feed for each bulk
statement on a tracked table; a batch's hearing insert does that, so its shift and language
inserts, in the same transaction, pass ``feed_neutral`` instead of marking everyone twice more.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from scheduler.courts import queries as court_queries
from scheduler.courts import scope
from scheduler.domain.hearing_import import (
    CourtRef,
    ImportRow,
    mark_duplicates,
    read_numbered_rows,
    validate_row,
)
from scheduler.domain.hearings import duplicate_key
from scheduler.enums import HearingStatus, ShiftStatus
from scheduler.errors import ServiceError
from scheduler.models import FEED_NEUTRAL, AuditEvent, Hearing, HearingLanguage, Shift, User
from scheduler.models.local_week import week_columns
from scheduler.types import utcnow

BATCH_ROWS = 100


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
    progress: Callable[[int, int], None] | None = None,
    batch_rows: int = BATCH_ROWS,
) -> int:
    """Write every row, or none: refused while any row has an error.

    Likely duplicates are skipped unless their line number is in ``include_duplicates``.
    Rows go in batches of ``batch_rows``; ``progress(done, total)`` is called after each.
    Nothing is committed here: the caller commits once, so a failure leaves nothing written.
    """
    preview = preview_import(session, actor=actor, text=text, now=now)
    if not preview.can_commit:
        raise ServiceError("import_has_errors")
    rows = [r for r in preview.rows if r.duplicate_of is None or r.line in include_duplicates]
    if not rows:
        return 0
    rows = [r for r in rows if r.court is not None and r.plan is not None]
    stamp = utcnow()
    for first in range(0, len(rows), max(1, batch_rows)):
        _write_batch(session, actor=actor, rows=rows[first : first + batch_rows], stamp=stamp)
        if progress is not None:
            progress(min(first + batch_rows, len(rows)), len(rows))
    session.flush()
    return len(rows)


def _write_batch(session: Session, *, actor: User, rows: list[ImportRow], stamp: datetime) -> None:
    """Four multi-row inserts (and one journal row) for a batch of checked rows."""
    keys = [uuid.uuid4().hex for _ in rows]
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
            "case_key": key,
            "created_by_id": actor.id,
            "created_at": stamp,
            "updated_at": stamp,
        }
        for r, key in zip(rows, keys, strict=True)
        if r.court is not None and r.plan is not None
    ]
    returned = session.execute(insert(Hearing).returning(Hearing.case_key, Hearing.id), hearing_values)
    id_of = dict(returned.tuples().all())
    shifts: list[dict[str, Any]] = []
    languages: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for key, row in zip(keys, rows, strict=True):
        assert row.plan is not None and row.court is not None
        hearing_id = id_of[key]
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
                # A bulk insert skips the flush that places ORM shifts in the local week.
                **week_columns(s.starts_at, s.ends_at, row.court.tz_name),
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
    # The hearing insert above marked every feed in this transaction (see the module's note).
    if shifts:
        session.execute(insert(Shift).execution_options(**{FEED_NEUTRAL: True}), shifts)
    if languages:
        session.execute(insert(HearingLanguage).execution_options(**{FEED_NEUTRAL: True}), languages)
    session.execute(insert(AuditEvent), events)


def _courts_by_key(session: Session, *, actor: User) -> dict[str, CourtRef]:
    """Active courts in the coordinator's scope, found by lower-cased name or code."""
    courts: dict[str, CourtRef] = {}
    for court in court_queries.active_courts(session, within=scope.court_ids(actor)):
        ref = CourtRef(id=court.id, name=court.name, tz_name=court.timezone)
        courts[court.name.lower()] = ref
        if court.code:
            courts.setdefault(court.code.lower(), ref)
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
