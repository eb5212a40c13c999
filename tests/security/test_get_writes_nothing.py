"""Every GET route, walked as every persona of the authorisation matrix, writes nothing.

The one exception is the access audit of private details (``scheduler.audit.record_access``),
an INSERT into ``audit_events``. Writes are caught at the cursor (``before_cursor_execute``),
so ORM flushes, bulk statements and raw SQL are all seen.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, update

from scheduler import audit
from scheduler.enums import FeedKind, Role
from scheduler.extensions import db
from scheduler.feeds import tokens as feed_tokens
from scheduler.models import Invitation, UserSession
from scheduler.types import utcnow
from tests.factories import make_api_token, make_hearing, make_signup, make_user
from tests.security import test_authz_matrix as matrix
from tests.security.test_authz_matrix import PERSONAS, ROUTES, _as, _url

# The matrix's fixtures: its config and its world of personas, seats and an invitation.
app_config = matrix.app_config
world = matrix.world

GET_ROUTES = [(endpoint, rule) for endpoint, rule, method in ROUTES if method == "GET"]
_WRITE = re.compile(r"^\s*(?:WITH\b.*?\)\s*)?(INSERT|UPDATE|DELETE|REPLACE|UPSERT|MERGE)\b", re.I | re.S)
_AUDIT_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+\"?audit_events\"?\s", re.I)
# Rendered calendar events a feed GET keeps for every worker (scheduler/feeds/eventcache.py):
# content-addressed, inserted only on a miss, never updated; they change nothing anyone sees.
_EVENT_CACHE_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+\"?feed_event_cache\"?\s", re.I)
# A feed's ETag, kept for every worker on a miss (scheduler/feeds/stampstore.py): one upsert
# under a digest of the token hash and everything the stamp was valid for.
_STAMP_CACHE_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+\"?feed_stamp_cache\"?\s", re.I)


def _is_access_audit(statement: str, params: Any) -> bool:
    """An INSERT into audit_events whose action is one ``audit.record_access`` accepts."""
    rows = params if isinstance(params, list) else [params]
    values = [v for row in rows for v in (row.values() if isinstance(row, dict) else row)]
    return bool(_AUDIT_INSERT.match(statement)) and any(v in audit.ACCESS_ACTIONS for v in values)


def _writes(statements: list[tuple[str, Any]]) -> list[str]:
    return [
        s
        for s, p in statements
        if _WRITE.match(s)
        and not _is_access_audit(s, p)
        and not _EVENT_CACHE_INSERT.match(s)
        and not _STAMP_CACHE_INSERT.match(s)
    ]


def test_the_write_detector_sees_writes() -> None:
    audit_insert = "INSERT INTO audit_events (actor_id, action) VALUES (?, ?)"
    assert _writes(
        [
            ("UPDATE users SET last_seen_at=?", ()),
            ("INSERT INTO signups (a) VALUES (?)", (1,)),
            ("DELETE FROM feed_changes", ()),
            ("  insert into outbox_messages values (1)", ()),
            (audit_insert, (1, "user.role_changed")),
            ("UPDATE feed_event_cache SET ics=?", ()),
            ("DELETE FROM feed_event_cache", ()),
            ("UPDATE feed_stamp_cache SET etag=?", ()),
            ("DELETE FROM feed_stamp_cache", ()),
        ]
    ) == [
        "UPDATE users SET last_seen_at=?",
        "INSERT INTO signups (a) VALUES (?)",
        "DELETE FROM feed_changes",
        "  insert into outbox_messages values (1)",
        audit_insert,
        "UPDATE feed_event_cache SET ics=?",
        "DELETE FROM feed_event_cache",
        "UPDATE feed_stamp_cache SET etag=?",
        "DELETE FROM feed_stamp_cache",
    ]
    reads = [("SELECT 1", ()), ("SELECT 1 FOR UPDATE", ())]
    cache_fill = ("INSERT INTO feed_event_cache (digest, kind) VALUES (?, ?)", ("ab", "signup"))
    stamp_fill = ("INSERT INTO feed_stamp_cache (digest, etag) VALUES (?, ?)", ("ab", '"cd"'))
    assert _writes([*reads, (audit_insert, (1, "hearing.private_viewed")), cache_fill, stamp_fill]) == []


@pytest.mark.parametrize(("endpoint", "rule"), GET_ROUTES, ids=[r for _, r in GET_ROUTES])
def test_get_writes_nothing_but_the_access_audit(app: Flask, world: dict[str, Any], endpoint, rule) -> None:
    app.config["RATELIMIT_ENABLED"] = False
    url = _url(rule, world["args"], app, endpoint)
    client = app.test_client()
    statements: list[tuple[str, Any]] = []

    def _capture(_conn, _cursor, statement, params, _context, _many) -> None:
        statements.append((statement, params))

    for persona in PERSONAS:
        _as(client, world["people"].get(persona))
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", _capture)
        try:
            response = client.get(url)
            response.close()
        finally:
            event.remove(db.engine, "before_cursor_execute", _capture)
        assert response.status_code < 500, f"{persona}: GET {url} -> {response.status_code}"
        written = _writes(statements)
        assert not written, f"{persona}: GET {url} ({response.status_code}) wrote:\n  " + "\n  ".join(
            s.split("\n")[0][:160] for s in written
        )


# Writes a GET may still make, each bookkeeping of the request itself rather than a change the
# visitor asked for, and each at most once per interval:
# - ``user_sessions.last_seen_at``: the server-side idle timeout (scheduler.web.session_guard)
#   must count reading as activity, or a person reading pages would be signed out; at most once
#   a minute (``accounts.sessions.TOUCH_INTERVAL``). Revoking an idle session is the same guard.
# - ``feed_tokens.last_used_at``: calendar apps can only GET; the stamp tells the owner the
#   subscription is alive; at most once an hour (``accounts.token_stamps.LAST_USED_GRANULARITY``).
# - ``feed_event_cache`` rows (INSERT only, ON CONFLICT DO NOTHING): events a feed rendered on a
#   miss, kept for every worker and restart (scheduler/feeds/eventcache.py says why at GET time);
#   a repeated poll finds them and writes nothing. ``_writes`` lets them pass; pinned below.
# - ``feed_stamp_cache`` rows (one upsert, on a miss): the feed's ETag, kept for every worker and
#   restart (scheduler/feeds/stampstore.py); a new worker finds it and writes nothing. Pinned below.
# - ``api_tokens.last_used_at``: the account page lists each API token with its last use; at
#   most once an hour (``accounts.token_stamps.LAST_USED_GRANULARITY``).
# The matrix walk above meets neither (fresh sessions, made-up tokens); these tests pin them.


def _captured(client: FlaskClient, url: str) -> list[str]:
    statements: list[tuple[str, Any]] = []

    def _capture(_conn, _cursor, statement, params, _context, _many) -> None:
        statements.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", _capture)
    try:
        client.get(url).close()
    finally:
        event.remove(db.engine, "before_cursor_execute", _capture)
    return [" ".join(s.split())[:60] for s in _writes(statements)]


def test_the_idle_timeout_touch_is_the_only_write_and_at_most_once_a_minute(app: Flask, world) -> None:
    volunteer_id = world["people"]["volunteer"]
    client = app.test_client()
    _as(client, volunteer_id)
    a_while_ago = utcnow() - timedelta(minutes=5)
    db.session.execute(
        update(UserSession).where(UserSession.user_id == volunteer_id).values(last_seen_at=a_while_ago)
    )
    db.session.commit()
    first = _captured(client, "/commitments")
    assert len(first) == 1 and first[0].upper().startswith("UPDATE USER_SESSIONS SET LAST_SEEN_AT"), first
    assert _captured(client, "/commitments") == []


def test_a_feed_poll_stamps_its_token_at_most_once_an_hour(app: Flask) -> None:
    volunteer = make_user()
    token = feed_tokens.issue_token(db.session, user=volunteer, kind=FeedKind.PERSONAL, actor=volunteer)
    db.session.commit()
    client = app.test_client()
    url = feed_tokens.feed_path(token)
    first = _captured(client, url)
    assert len(first) == 1 and first[0].upper().startswith("UPDATE FEED_TOKENS SET LAST_USED_AT")
    assert _captured(client, url) == []


def _raw_writes(client: FlaskClient, url: str) -> list[str]:
    statements: list[str] = []

    def _capture(_conn, _cursor, statement, _params, _context, _many) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", _capture)
    try:
        client.get(url).close()
    finally:
        event.remove(db.engine, "before_cursor_execute", _capture)
    return [" ".join(s.split())[:28].upper() for s in statements if _WRITE.match(s)]


def test_a_feed_fills_the_shared_caches_once_and_writes_nothing_else(app: Flask) -> None:
    from scheduler.feeds import eventcache
    from scheduler.feeds import web as feed_web

    volunteer = make_user()
    make_signup(shift=make_hearing().shifts[0], user=volunteer)
    token = feed_tokens.issue_token(db.session, user=volunteer, kind=FeedKind.PERSONAL, actor=volunteer)
    db.session.execute(update(feed_tokens.FeedToken).values(last_used_at=utcnow()))
    db.session.commit()
    eventcache.clear_memory()
    client, url = app.test_client(), feed_tokens.feed_path(token)
    assert _raw_writes(client, url) == ["INSERT INTO FEED_STAMP_CACHE", "INSERT INTO FEED_EVENT_CACHE"]
    eventcache.clear_memory()  # a new worker: finds the rows, writes nothing
    app.extensions[feed_web.STAMP_CACHE_KEY].clear()
    assert _raw_writes(client, url) == []


def test_an_api_read_stamps_its_token_at_most_once_an_hour(app: Flask) -> None:
    volunteer = make_user()
    token = make_api_token(volunteer)
    db.session.commit()
    client = app.test_client()

    def read() -> list[str]:
        statements: list[tuple[str, Any]] = []

        def _capture(_conn, _cursor, statement, params, _context, _many) -> None:
            statements.append((statement, params))

        event.listen(db.engine, "before_cursor_execute", _capture)
        try:
            response = client.get("/api/v1/commitments", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", _capture)
        return [" ".join(s.split())[:60] for s in _writes(statements)]

    first = read()
    assert len(first) == 1 and first[0].upper().startswith("UPDATE API_TOKENS SET LAST_USED_AT"), first
    assert read() == []


def test_stale_state_is_shown_as_it_is_without_being_written(app: Flask) -> None:
    """An invitation past its time and a handover offer past the cutoff: reading leaves both alone.

    The invitations page shows the first as expired (it is stored so when answered); the worker
    turns the second into a late drop (scheduler/notifications/worker.py).
    """
    cutoff = timedelta(hours=app.config["DROP_CUTOFF_HOURS"])
    volunteer, coordinator = make_user(), make_user(role=Role.COORDINATOR)
    soon = make_hearing(starts_at=(utcnow() + cutoff / 2).replace(microsecond=0))
    make_signup(shift=soon.shifts[0], user=make_user(), handover_offered_at=utcnow() - cutoff)
    later = make_hearing()
    db.session.add(
        Invitation(
            shift_id=later.shifts[0].id,
            user_id=volunteer.id,
            invited_by_id=coordinator.id,
            expires_at=utcnow() - timedelta(hours=1),
        )
    )
    db.session.commit()
    client = app.test_client()
    _as(client, volunteer.id)
    assert _captured(client, "/shifts") == []
    assert _captured(client, "/invitations") == []
    assert "Expired" in client.get("/invitations").get_data(as_text=True)
