"""Courts: import from CSV (upsert by name), create and edit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.domain.courts import CourtRow, RowError, parse_courts_csv
from scheduler.enums import CourtKind
from scheduler.models import Court, User


@dataclass(frozen=True, slots=True)
class ImportResult:
    created: int
    updated: int
    errors: list[RowError]


def import_courts(session: Session, *, text: str, actor: User | None) -> ImportResult:
    """All or nothing: a file with any bad row changes nothing and says which rows are bad."""
    rows, errors = parse_courts_csv(text)
    if errors:
        return ImportResult(0, 0, errors)
    existing = {c.name.lower(): c for c in session.scalars(select(Court))}
    created = updated = 0
    for row in rows:
        court = existing.get(row.name.lower())
        if court is None:
            court = Court()
            session.add(court)
            created += 1
        else:
            updated += 1
        apply_row(court, row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="courts.imported",
        object_type="court",
        object_id=None,
        details={"created": created, "updated": updated},
    )
    return ImportResult(created, updated, [])


def apply_row(court: Court, row: CourtRow) -> None:
    court.code = row.code
    court.name = row.name
    court.city = row.city
    court.state = row.state
    court.address = row.address
    court.timezone = row.timezone
    court.kind = CourtKind(row.kind)
    court.notes = row.notes


def name_taken(session: Session, *, name: str, except_id: int | None = None) -> bool:
    query = select(Court.id).where(Court.name == name.strip())
    if except_id is not None:
        query = query.where(Court.id != except_id)
    return session.scalar(query) is not None


def code_taken(session: Session, *, code: str, except_id: int | None = None) -> bool:
    query = select(Court.id).where(Court.code == code.strip())
    if except_id is not None:
        query = query.where(Court.id != except_id)
    return session.scalar(query) is not None
