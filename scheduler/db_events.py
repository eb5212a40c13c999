"""Connection settings SQLite needs on every connection."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        # Off by default in SQLite: without it, ON DELETE rules and references are not enforced.
        cursor.execute("PRAGMA foreign_keys=ON")
        # The busy timeout (how long a writer queues for the write lock) is the sqlite3 module's
        # ``timeout`` connect argument, set from DB_LOCK_TIMEOUT in scheduler/dbfaults.py.
        cursor.close()
