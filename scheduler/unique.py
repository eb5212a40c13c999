"""A unique constraint won by another request at the same instant: the same answer as a check.

Services check "is this email (court name, ...) taken?" before they write. Two requests at the
same instant both pass the check, and the database's unique constraint refuses the second at
flush. :func:`flush_unique` turns that refusal into the :class:`Taken` error the service
answers as in the sequential case (a form error), after rolling the session back: the
transaction is spent on PostgreSQL, and nothing of it may be half-written.
"""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.schema import ColumnCollectionConstraint, Index

from scheduler.errors import ServiceError
from scheduler.models import User

UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: ([\w., ]+)")


class Taken(ServiceError):
    """A value that must be unique is already stored; ``columns`` says which."""

    def __init__(self, columns: tuple[str, ...]) -> None:
        super().__init__("taken", field=columns[0] if columns else None)
        self.columns = columns


def unique_columns(error: IntegrityError) -> tuple[str, ...] | None:
    """The columns of the unique constraint that refused the statement; None for another refusal."""
    orig = error.orig
    if getattr(orig, "sqlstate", None) == UNIQUE_VIOLATION:
        name = getattr(getattr(orig, "diag", None), "constraint_name", None) or ""
        return _columns_of_constraint(name)
    found = _SQLITE_UNIQUE.search(str(orig))
    if found:
        return tuple(part.strip().split(".")[-1] for part in found.group(1).split(","))
    return None


def _columns_of_constraint(name: str) -> tuple[str, ...]:
    for table in User.metadata.tables.values():  # every model shares the one MetaData
        for constraint in (*table.constraints, *table.indexes):
            if isinstance(constraint, ColumnCollectionConstraint | Index) and constraint.name == name:
                return tuple(column.name for column in constraint.columns)
    return ()


def flush_unique(session: Session) -> None:
    """Flush; a unique constraint that refuses it rolls the session back and raises :class:`Taken`."""
    try:
        session.flush()
    except IntegrityError as error:
        columns = unique_columns(error)
        if columns is None:
            raise
        session.rollback()
        raise Taken(columns) from None
