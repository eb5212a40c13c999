"""Pages that page: one page of rows, and whether another follows, without counting them all.

A list reads per_page + 1 rows: the extra row only says that a next page exists. The cost is
one page's worth of an index however many rows the table holds; no COUNT(*) runs over every
matching row, so such a page says "Page 3", not "Page 3 of 5,210" (issue 18 item 1).

Where a total is worth showing (the open seats), it is counted over at most a cap of rows:
"more than 240 seats" costs the same at 1,000 hearings as at 50,000.

The choices of a filter (the actions in the audit log) are read one distinct value at a time,
each the next entry of an index after the one before (a "loose index scan", as a recursive
query), instead of a SELECT DISTINCT that reads the whole table to find a few dozen values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Slice(Generic[T]):
    """One page of rows; what the `pagination` macro reads (no total: `pages` is None)."""

    rows: list[T]
    has_next: bool
    page: int
    per_page: int

    @property
    def pages(self) -> int | None:
        return None

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def first_page(page: int) -> int:
    """A page number from the request, at least 1 (the input guard bounds it above)."""
    return max(page, 1)


def read_slice(session: Session, stmt: Select, *, page: int, per_page: int) -> Slice:
    """The rows of page `page` (from 1) of an ordered statement, with one row read ahead."""
    page = first_page(page)
    found = list(session.scalars(stmt.limit(per_page + 1).offset((page - 1) * per_page)))
    return Slice(rows=found[:per_page], has_next=len(found) > per_page, page=page, per_page=per_page)


def capped_count(session: Session, stmt: Select, *, cap: int) -> int:
    """How many rows the statement returns, reading at most cap + 1 of them (> cap: "more than")."""
    limited = stmt.order_by(None).limit(cap + 1).subquery()
    return session.scalar(select(func.count()).select_from(limited)) or 0


def distinct_values(session: Session, attribute: InstrumentedAttribute[str]) -> list[str]:
    """The column's distinct values in order, each found as the next one in the column's index.

    WITH RECURSIVE walk(v) AS (SELECT min(col)  UNION ALL  SELECT (SELECT col WHERE col > v
    ORDER BY col LIMIT 1) FROM walk WHERE v IS NOT NULL): one index probe per value, on
    PostgreSQL and SQLite alike. The column needs an index that starts with it.
    """
    column = attribute.expression
    table = column.table
    lowest = select(column).where(column.is_not(None)).order_by(column).limit(1).scalar_subquery()
    walk = select(lowest.label("value")).cte("walk", recursive=True)
    later = table.alias("later")
    following = (
        select(later.c[column.name])
        .where(later.c[column.name] > walk.c.value)
        .order_by(later.c[column.name])
        .limit(1)
        .scalar_subquery()
    )
    walk = walk.union_all(select(following).where(walk.c.value.is_not(None)))
    return list(session.scalars(select(walk.c.value).where(walk.c.value.is_not(None))))
