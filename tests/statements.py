"""Count the SQL statements something runs: the guard of "a fixed number of statements"."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event

from scheduler.extensions import db


@contextmanager
def recorded() -> Iterator[list[str]]:
    """The statements sent to the app's database inside the block, in order."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def statements(fn: Callable[[], object]) -> list[str]:
    """The statements `fn()` runs."""
    with recorded() as seen:
        fn()
    return seen


def count_statements(fn: Callable[[], object]) -> int:
    return len(statements(fn))
