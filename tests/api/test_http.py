"""HTTP done right: problem documents for every error, ETags, cursors, times with offsets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from scheduler.accounts import api_tokens
from scheduler.enums import Role, SignupStatus
from scheduler.extensions import db
from scheduler.types import utcnow
from tests.factories import make_api_token, make_court, make_hearing, make_signup, make_user

PROBLEM = "application/problem+json"


def _is_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == PROBLEM
    body = response.json
    assert body["status"] == status and body["title"] and body["detail"] and body["type"] == "about:blank"
    return body


@pytest.fixture
def volunteer_token(app) -> str:
    token = make_api_token(make_user())
    db.session.commit()
    return token


def test_every_kind_of_error_is_a_problem_document_in_the_requested_language(
    app, api, volunteer_token
) -> None:
    t = volunteer_token
    assert "token" in _is_problem(api.get("courts", lang="es"), 401)["detail"].lower()
    assert (
        _is_problem(api.get("no-such-thing", t, lang="es"), 404)["detail"] == "No hay nada en esta dirección."
    )
    assert "Allow" in api.call("DELETE", "courts", t).headers
    _is_problem(api.call("DELETE", "courts", t), 405)
    assert _is_problem(api.get("hearings", t), 403)["code"] == "coordinators_only"
    bad_json = api.post("shifts/1/claim", t, data="{nope", content_type="application/json", lang="es")
    assert _is_problem(bad_json, 400)["detail"] == "El cuerpo no es JSON válido."
    invalid = _is_problem(api.get("courts?limit=1000", t, lang="es"), 422)
    assert invalid["errors"] == [
        {"field": "limit", "in": "query", "detail": "Este número está fuera del rango permitido."}
    ]
    assert _is_problem(api.get("courts?cursor=bm90IGpzb24", t), 400)["code"] == "bad_cursor"


def test_hostile_input_is_refused_with_a_problem_never_a_500(app, api, volunteer_token) -> None:
    t = volunteer_token
    assert _is_problem(api.get("courts?cursor=%00", t), 400)["code"] == "nul_byte"
    _is_problem(api.get("hearings/99999999999", t), 404)  # past 32 bits: no such route
    _is_problem(api.get(f"shifts/open?court_id={2**40}", t), 422)
    _is_problem(api.get("coverage?day=9999-01-01", t), 403)  # a volunteer: refused before reading
    nul = api.post("shifts/1/drop", t, json={"reason": "sick\u0000"})
    assert _is_problem(nul, 422)["errors"][0]["field"] == "reason"
    huge = api.post("shifts/1/claim", t, json={"waitlist": 10**40})
    _is_problem(huge, 422)
    assert _is_problem(api.post("shifts/1/claim", t, json=[1, 2]), 422)
    deep = api.post("shifts/1/claim", t, data="[" * 100_000 + "]" * 100_000, content_type="application/json")
    assert _is_problem(deep, 400)["code"] == "bad_json"
    plain = api.post("shifts/1/claim", t, data='{"waitlist": true}', content_type="text/plain")
    assert _is_problem(plain, 415)["code"] == "json_only"
    cursor = api_tokens.PREFIX  # any text that is not ours
    _is_problem(api.get(f"shifts/open?cursor={cursor}", t), 400)


def test_a_database_fault_is_a_503_problem(app, api, volunteer_token, monkeypatch) -> None:
    def busy(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))

    monkeypatch.setattr(api_tokens, "resolve", busy)
    body = _is_problem(api.get("courts", volunteer_token), 503)
    assert body["code"] == "database_busy"


def test_reads_carry_an_etag_and_answer_304_while_it_holds(app, api, volunteer_token) -> None:
    make_court(name="Etag Court")
    db.session.commit()
    first = api.get("courts", volunteer_token)
    etag = first.headers["ETag"]
    again = api.get("courts", volunteer_token, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    make_court(name="Another Court")
    db.session.commit()
    changed = api.get("courts", volunteer_token, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_cursor_pages_walk_every_row_once(app, api, volunteer_token) -> None:
    for n in range(5):
        make_court(name=f"Paged Court {n}")
    db.session.commit()
    seen, cursor, pages = [], None, 0
    while True:
        page = api.get("courts?limit=2" + (f"&cursor={cursor}" if cursor else ""), volunteer_token).json
        seen += [c["name"] for c in page["items"]]
        cursor, pages = page["next_cursor"], pages + 1
        if cursor is None:
            break
        assert "Paged" not in cursor  # opaque
    assert sorted(seen) == [f"Paged Court {n}" for n in range(5)] and pages == 3


@pytest.mark.committed
def test_a_page_costs_the_same_queries_wherever_it_is(app, api) -> None:
    court = make_court()
    coordinator = make_user(role=Role.COORDINATOR, courts=(court,))
    for n in range(12):
        make_hearing(court=court, starts_at=(utcnow() + timedelta(days=2 + n)).replace(microsecond=0))
    token = make_api_token(coordinator, last_used_at=utcnow())
    db.session.commit()
    api.get("hearings?limit=4", token)  # warm: the first request of an app opens its connection
    counts, cursor = [], None
    statements: list[str] = []

    def listener(*args) -> None:
        statements.append(args[2])

    for _ in range(3):
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            page = api.get("hearings?limit=4" + (f"&cursor={cursor}" if cursor else ""), token).json
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        counts.append(len(statements))
        cursor = page["next_cursor"]
    assert len(set(counts)) == 1, counts


def test_times_carry_the_courts_offset_and_zone(app, api) -> None:
    court = make_court(name="Phoenix Court", timezone="America/Phoenix")
    hearing = make_hearing(court=court)
    volunteer = make_user()
    make_signup(shift=hearing.shifts[0], user=volunteer)
    token = make_api_token(volunteer)
    db.session.commit()
    seat = api.get("commitments", token).json["upcoming"][0]
    assert seat["starts_at"].endswith("-07:00") and seat["court"]["timezone"] == "America/Phoenix"
    shown = api.get(f"hearings/{hearing.id}", token).json
    assert shown["timezone"] == "America/Phoenix" and shown["starts_at"].endswith("-07:00")


def test_a_shift_shows_its_details_only_with_a_confirmed_seat(app, api) -> None:
    hearing = make_hearing(meeting_point="Door B")
    seated, waiting, other = (
        make_user(),
        make_user(),
        make_user(role=Role.COORDINATOR, courts=(make_court(),)),
    )
    make_signup(shift=hearing.shifts[0], user=seated)
    make_signup(shift=hearing.shifts[0], user=waiting, status=SignupStatus.WAITLISTED)
    tokens = [make_api_token(u) for u in (seated, waiting, other)]
    db.session.commit()
    path = f"shifts/{hearing.shifts[0].id}"
    shown = [api.get(path, t) for t in tokens]
    assert shown[0].json["meeting_point"] == "Door B" and shown[0].json["my_status"] == "confirmed"
    assert shown[1].json["meeting_point"] is None and shown[1].json["my_status"] == "waitlisted"
    assert shown[2].status_code == 403
