"""Bounded waits on the database, and telling a database fault from a bug.

Every connection gets a lock timeout and a statement timeout (PostgreSQL), or a busy timeout
(SQLite), and connecting gives up after ``DB_CONNECT_TIMEOUT``: together they stay below
gunicorn's worker timeout (``gunicorn.conf.py``), so a held row lock or a database that is
away ends a request with a clear answer instead of a killed worker. ``fault_kind`` sorts an
exception into "busy" (a lock or statement timeout: try again in a moment), "unavailable"
(the database cannot be reached) or ``None`` (a bug: the ordinary 500).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

BUSY = "busy"
UNAVAILABLE = "unavailable"

# lock_not_available, query_canceled (statement/lock timeout), deadlock, serialization failure.
_PG_BUSY = {"55P03", "57014", "40P01", "40001"}
# connection_exception (08...), operator intervention (57P01 admin shutdown, 57P02 crash,
# 57P03 cannot connect now: starting up), insufficient resources (53...: too many connections).
_PG_UNAVAILABLE_PREFIXES = ("08", "57P", "53")
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")
_SQLITE_UNAVAILABLE = ("unable to open database file", "disk i/o error", "database disk image is malformed")


def bounded_engine_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """``SQLALCHEMY_ENGINE_OPTIONS`` with the connect, lock and statement timeouts added.

    The one place the fault bounds touch the engine options: the rest of the options (pool
    pre-ping, parameter hiding, ...) are kept as configured, and so are other connect args.
    """
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    backend = make_url(config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    connect_args = dict(options.get("connect_args") or {})
    lock_ms = _millis(config["DB_LOCK_TIMEOUT"])
    if backend == "postgresql":
        statement_ms = _millis(config["DB_STATEMENT_TIMEOUT"])
        # jit=off: PostgreSQL compiles a statement whose estimated cost passes jit_above_cost,
        # and the month calendar's per-zone CASE cost 7 s of compiling (LLVM optimisation) to
        # save milliseconds at 50k hearings; short OLTP pages never win from JIT (issue 18).
        bounds = f"-c lock_timeout={lock_ms} -c statement_timeout={statement_ms} -c jit=off"
        connect_args["options"] = " ".join(filter(None, [connect_args.get("options"), bounds]))
        # libpq counts whole seconds and treats anything under 2 as 2.
        connect_args["connect_timeout"] = max(2, round(config["DB_CONNECT_TIMEOUT"]))
        # Waiting for a free pooled connection is bounded too (the default is 30 s).
        options.setdefault("pool_timeout", config["DB_CONNECT_TIMEOUT"])
    elif backend == "sqlite":
        # The sqlite3 module's timeout is SQLite's busy timeout: how long to wait for the write lock.
        connect_args["timeout"] = lock_ms / 1000
    options["connect_args"] = connect_args
    return options


def _millis(seconds: float) -> int:
    return max(1, round(float(seconds) * 1000))


def fault_kind(error: BaseException) -> str | None:
    """BUSY, UNAVAILABLE, or None when the error is not a database fault (so a bug)."""
    if isinstance(error, sa_exc.TimeoutError):  # no pooled connection came free in time
        return UNAVAILABLE
    if not isinstance(error, sa_exc.DBAPIError):
        return None
    if error.connection_invalidated:
        return UNAVAILABLE
    orig = error.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if code in _PG_BUSY:
        return BUSY
    if code and code.startswith(_PG_UNAVAILABLE_PREFIXES):
        return UNAVAILABLE
    message = str(orig).lower()
    if any(text in message for text in _SQLITE_BUSY):
        return BUSY
    if any(text in message for text in _SQLITE_UNAVAILABLE):
        return UNAVAILABLE
    # PostgreSQL without an SQLSTATE: the failure happened on the wire (refused, reset, gone).
    on_the_wire = code is None and type(orig).__module__.startswith("psycopg")
    if on_the_wire and isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError):
        return UNAVAILABLE
    return None
