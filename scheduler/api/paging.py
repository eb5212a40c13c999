"""Cursor pagination by keyset: a page costs the same whether it is the first or the thousandth.

A list is ordered by (a sort column, id); the cursor names the last row of the page before, so
the next page is ``WHERE (sort, id) > (cursor)`` on an index, never an OFFSET. The cursor is
opaque to clients (base64 of a small JSON array) and checked like any other input.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from scheduler.domain.bounds import FIRST_DAY, INT32_MAX, LAST_DAY
from scheduler.web.problems import problem

BAD_CURSOR = _l("This cursor is not valid. Start again from the first page, without a cursor.")
Key = tuple[datetime | int, int]


def encode(sort: datetime | int, row_id: int) -> str:
    value = sort.astimezone(UTC).isoformat() if isinstance(sort, datetime) else sort
    raw = json.dumps([value, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _refuse() -> None:
    abort(problem(400, BAD_CURSOR, code="bad_cursor"))


def _in_range(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= INT32_MAX


def decode(cursor: str | None, *, by_time: bool) -> Key | None:
    """The (sort, id) a cursor names; None without one; a 400 problem for anything else."""
    if not cursor:
        return None
    try:
        sort, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if by_time:
            sort = datetime.fromisoformat(sort)
            if sort.tzinfo is None or not FIRST_DAY <= sort.date() <= LAST_DAY:
                raise ValueError("out of range")
        elif not _in_range(sort):
            raise ValueError("out of range")
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        _refuse()
    if not _in_range(row_id):
        _refuse()
    return sort, row_id


def after(
    query: Select, key: Key | None, sort: InstrumentedAttribute[Any], row_id: InstrumentedAttribute[int]
) -> Select:
    """The rows past ``key`` in (sort, id) order (written out: row values differ by database)."""
    if key is None:
        return query
    condition: ColumnElement[bool] = or_(sort > key[0], and_(sort == key[0], row_id > key[1]))
    return query.where(condition)


def page(rows: Sequence[Any], limit: int, key_of: Any) -> tuple[list[Any], str | None]:
    """The first ``limit`` rows of ``limit + 1`` fetched, and the cursor of the next page (or None)."""
    items = list(rows[:limit])
    if len(rows) <= limit or not items:
        return items, None
    return items, encode(*key_of(items[-1]))
