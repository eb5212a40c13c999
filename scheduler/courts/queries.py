"""Reading courts: the one definition of a court "in use" (active) that every form and import reads."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from scheduler.models import Court


def is_active() -> ColumnElement[bool]:
    """A court in use: new hearings can be posted there (a court is retired, never deleted)."""
    return Court.active.is_(True)


def active_courts_query(*, within: Collection[int] | None = None, by_name: bool = False) -> Select:
    """Courts in use, by state then name (or by name alone), only those in ``within`` when given."""
    query = select(Court).where(is_active())
    if within is not None:
        query = query.where(Court.id.in_(within))
    return query.order_by(Court.name) if by_name else query.order_by(Court.state, Court.name)


def active_courts(
    session: Session, *, within: Collection[int] | None = None, by_name: bool = False
) -> list[Court]:
    return list(session.scalars(active_courts_query(within=within, by_name=by_name)))
