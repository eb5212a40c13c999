"""Hostile input to every form: never a 500, never a stored script that runs when shown back.

Forms are found from the URL map (every POST route), their fields by reading the page that
shows the form. Values come from hypothesis: very long strings, control characters, HTML and
script, SQL fragments, impossible dates and time zones. Raw non-UTF-8 bodies and oversized or
garbled CSV files go to the hearings import. Example counts stay small so `make test` stays fast.
"""

from __future__ import annotations

import csv
import io
import time
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask, url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from scheduler.enums import IncidentKind, OnCallRole, Role
from scheduler.extensions import db
from scheduler.models import User
from scheduler.types import utcnow
from tests.conftest import base_config
from tests.factories import (
    DEFAULT_PASSWORD,
    make_court,
    make_hearing,
    make_signup,
    make_user,
    session_id_for,
)
from tests.security.helpers import casework_world, rapid_response_world
from tests.security.test_authz_matrix import ROUTES, RULES

XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "<svg onload=alert(1)>"]
# What must never appear unescaped in a page.
LIVE_MARKERS = ["<script>alert(1)", "<img src=x onerror", "<svg onload"]
NASTY = [
    *XSS,
    "'; DROP TABLE users; --",
    "1 OR 1=1",
    "Robert'); DELETE FROM hearings;--",
    "\x00\x01\x02\x1b[31m",
    "\u202e\u200b\ufeff",
    "2026-02-30",
    "9999-99-99T99:99",
    "0000-00-00",
    "-1",
    "99999999999999999999999",
    "NaN",
    "Mars/Olympus_Mons",
    "../../etc/passwd",
    "%00%ff",
    "{{ 7*7 }}",
    "${7*7}",
    "A" * 5000,
    "é" * 3000,
]
hostile_text = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=80),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=20),
    st.builds(lambda a, b: a + b, st.sampled_from(XSS), st.text(max_size=10)),
)

SKIP = {"static"}
# WTForms 3.3 deprecates tuple choices (scheduler/shifts/forms.py AttendanceForm); the owner of
# that form fixes it, this test is about answers and escaping.


class _Fields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        name = values.get("name")
        if tag in ("input", "select", "textarea") and name and name != "csrf_token":
            self.names[name] = values.get("type") or tag


@pytest.fixture
def app_config(database_url):
    config = base_config(database_url)
    config["RATELIMIT_ENABLED"] = False
    config["PLAN_TIME_LIMIT_SECONDS"] = 1.0
    config["MAX_CONTENT_LENGTH"] = 256 * 1024
    return config


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    court = make_court(name="Hostile Court")
    hearing = make_hearing(court=court)
    volunteer = make_user()
    make_signup(shift=hearing.shifts[0], user=volunteer)
    admin = make_user(role=Role.ADMIN)
    target = make_user(display_name="Hostile Target")
    series_id, awaiting_id = casework_world(hearing, admin)
    incident_id, entry_id = rapid_response_world(
        hearing, admin, kind=IncidentKind.NEED_LAWYER, role=OnCallRole.LAWYER, weekday=2
    )
    db.session.commit()
    return {
        "admin": admin.id,
        "args": {
            "hearing_id": hearing.id,
            "shift_id": hearing.shifts[0].id,
            "user_id": target.id,
            "court_id": court.id,
            "token": "x" * 22,
            "kind": "personal",
            "invitation_id": 1,
            "answer": "decline",
            "filename": "css/app.css",
            "message_id": 1,  # the admins' failed-mail routes
            "series_id": series_id,
            "awaiting_id": awaiting_id,
            "incident_id": incident_id,
            "entry_id": entry_id,
            "token_id": 1,  # an API token of the account page
        },
    }


def _sign_in(client, user_id: int) -> None:
    with client.session_transaction() as sess:
        db.session.expire_all()
        sess.clear()
        sess["_user_id"] = session_id_for(db.session.get(User, user_id))
        sess["_fresh"] = True
        sess["seen"] = int(time.time())


def _url(app: Flask, endpoint: str, rule: str, args: dict[str, Any]) -> str:
    rule_obj = next(r for r in app.url_map.iter_rules(endpoint) if r.rule == rule)
    with app.test_request_context():
        return url_for(endpoint, **{name: args[name] for name in rule_obj.arguments})


def _form_fields(app: Flask, client, endpoint: str, url: str) -> dict[str, str]:
    """Field names of the form that posts here: from the page itself, else the page that links to it."""
    response = client.get(url)
    parser = _Fields()
    if response.status_code == 200 and response.mimetype == "text/html":
        parser.feed(response.get_data(as_text=True))
    response.close()
    return parser.names


def _assert_no_live_script(body: str, where: str) -> None:
    for marker in LIVE_MARKERS:
        assert marker not in body, f"unescaped {marker!r} in {where}"


POST_ROUTES = [(e, r) for e, r, m in ROUTES if m == "POST" and e not in SKIP]
# Pages where stored values are shown back.
SHOW_BACK = ["main.home", "account.profile", "people.show_person", "people.list_people", "courts.list_courts"]


@pytest.mark.parametrize(("endpoint", "rule"), POST_ROUTES, ids=[r for _, r in POST_ROUTES])
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_hostile_values_never_cause_a_500(app, world, endpoint, rule, data) -> None:
    client = app.test_client()
    _sign_in(client, world["admin"])
    url = _url(app, endpoint, rule, world["args"])
    fields = _form_fields(app, client, endpoint, url) or {"value": "text", "name": "text", "q": "text"}
    payload = {}
    for name, kind in fields.items():
        if kind == "file":
            payload[name] = (io.BytesIO(data.draw(st.binary(max_size=200))), "x.csv")
        else:
            payload[name] = data.draw(hostile_text, label=name)
    _sign_in(client, world["admin"])
    response = client.post(url, data=payload, content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    response.close()
    assert response.status_code < 500, f"POST {url} {payload!r} -> {response.status_code}"
    _assert_no_live_script(body, f"the answer to POST {url}")


def test_stored_values_are_escaped_when_shown_back(app, world) -> None:
    """Post scripts into every form, then open the pages that show stored values."""
    client = app.test_client()
    for endpoint, rule in POST_ROUTES:
        _sign_in(client, world["admin"])
        url = _url(app, endpoint, rule, world["args"])
        fields = _form_fields(app, client, endpoint, url)
        payload = {name: XSS[i % len(XSS)] for i, name in enumerate(fields) if fields[name] != "file"}
        _sign_in(client, world["admin"])
        client.post(url, data=payload).close()
    shown = [_url(app, e, r, world["args"]) for e, r, m in ROUTES if m == "GET" and e in SHOW_BACK]
    shown += [
        _url(app, e, r, world["args"]) for e, r, m in ROUTES if m == "GET" and e.startswith("hearings.")
    ]
    for url in shown:
        _sign_in(client, world["admin"])
        response = client.get(url)
        _assert_no_live_script(response.get_data(as_text=True), url)
        response.close()


def test_non_utf8_and_control_bytes_in_a_raw_body(app, world) -> None:
    client = app.test_client()
    for endpoint, rule in POST_ROUTES:
        _sign_in(client, world["admin"])
        url = _url(app, endpoint, rule, world["args"])
        response = client.post(
            url,
            data=b"a=%ff%fe%00&b=\xff\xfe\x00\x80&q=\xc3\x28",
            content_type="application/x-www-form-urlencoded",
        )
        response.close()
        assert response.status_code < 500, url


def _import_url(app: Flask) -> str | None:
    if "hearings.import_hearings" not in app.view_functions:
        return None
    with app.test_request_context():
        return url_for("hearings.import_hearings")


def test_hearings_import_refuses_huge_files_with_a_page(app, world) -> None:
    url = _import_url(app)
    if url is None:
        pytest.skip("no hearings import in this build")
    client = app.test_client()
    _sign_in(client, world["admin"])
    huge = io.BytesIO(b"court,date,time\n" + b"x" * (300 * 1024))
    response = client.post(url, data={"file": (huge, "big.csv")}, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe\x00\x00garbage\x80\x81",
        b"\x00" * 1000,
        b'"unterminated,quote\n' * 50,
        b"court,date\n" + b",".join([b"x" * 200] * 200) + b"\n",
        b"<script>alert(1)</script>,2026-02-30,25:99\n" * 20,
        b"=cmd|' /C calc'!A0,@SUM(1+1),+1,-1\n",
    ],
    ids=["utf16-ish", "nul-bytes", "unterminated", "wide-row", "script-and-bad-dates", "formula"],
)
def test_hearings_import_answers_garbage_with_a_message(app, world, content) -> None:
    url = _import_url(app)
    if url is None:
        pytest.skip("no hearings import in this build")
    client = app.test_client()
    _sign_in(client, world["admin"])
    response = client.post(
        url,
        data={"file": (io.BytesIO(content), "x.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    body = response.get_data(as_text=True)
    assert response.status_code < 500
    _assert_no_live_script(body, "the import preview")


# --- Generated from the URL map: NUL, huge integers, extreme dates (issue 13, item 2) ----------
#
# Each route parameter, query string and form field gets each value below, one at a time, on a
# request that is otherwise valid (a form starts from the values its page shows), so the value
# reaches the database. Anything but a 500 is an answer: a 400, a 404 or a form error.

NUL = ["a\x00b"]
# Past 32 bits (INTEGER columns), past 64 bits (BIGINT, SQLite), far past both.
HUGE = ["2147483648", "-2147483649", "9223372036854775808", "-9223372036854775809", "9" * 30]
EXTREME_DATES = [
    "0000-01-01",
    "9999-12-31",
    "2026-13-01",
    "2026-01-32",
    "0000-01-01T10:00",
    "9999-12-31T23:59",
]
QUERY_KEYS = [
    "page", "per_page", "court", "year", "month", "weeks", "status", "q", "from", "to", "since",
    "until", "object_id", "object_type", "action", "user_id", "shift_id", "kind", "language",
    "role", "start", "end", "all", "unfilled", "next",
]  # fmt: skip
REFUSED_BY_DATABASE = "A value you sent is too large or not allowed here."
NUMERIC_TYPES = {"number", "select", "hidden", "radio", "checkbox"}
DATE_TYPES = {"date", "datetime-local", "time", "month"}


class _Forms(HTMLParser):
    """Every form of a page: its action, method and fields with the values the page shows."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(
                {"action": a.get("action", ""), "method": a.get("method", "get").lower(), "fields": []}
            )
            return
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = a.get("name")
        if tag == "input" and name and name != "csrf_token":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            checked = "checked" in a
            fields.append([name, kind, a.get("value", "on" if kind == "checkbox" else ""), checked])
        elif tag == "select" and name:
            self._select, self._first_option = name, None
            fields.append([name, "select", None, True])
        elif tag == "option" and self._select:
            value = a.get("value", "")
            field = next(f for f in reversed(fields) if f[0] == self._select)
            if field[2] is None or "selected" in a:
                field[2] = value
        elif tag == "textarea" and name:
            self._textarea = name
            fields.append([name, "textarea", "", True])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            field = next(f for f in reversed(self.forms[-1]["fields"]) if f[0] == self._textarea)
            field[2] += data


_fill = iter(range(10**6))


def _filled(name: str, kind: str, value: str | None) -> str:
    """The page's value, or a valid one for a field the page leaves empty."""
    if kind == "password":
        return DEFAULT_PASSWORD
    if value:
        return value
    if kind == "email" or name == "email":
        return f"hostile{next(_fill)}@example.org"
    return {"date": "2031-03-12", "time": "10:00", "datetime-local": "2031-03-12T10:00", "number": "1"}.get(
        kind, "Hostile value" if kind in ("text", "textarea", "search", "tel") else (value or "")
    )


def _base_payload(fields: list[list[Any]]) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The form as a browser would send it, and each field's type."""
    payload, kinds = [], {}
    for name, kind, value, checked in fields:
        kinds.setdefault(name, kind)
        if kind in ("checkbox", "radio") and not checked:
            continue
        if kind == "radio" and any(n == name for n, _ in payload):
            continue
        payload.append((name, _filled(name, kind, value)))
    for name, kind, value, _checked in fields:  # a radio group with nothing checked: its first value
        if kind == "radio" and not any(n == name for n, _ in payload):
            payload.append((name, value or ""))
    return payload, kinds


def _persona_for(endpoint: str, method: str) -> str:
    allowed = RULES.get(endpoint, {}).get(method)
    if allowed == "token" or (allowed and "anonymous" in allowed):
        return "anonymous"
    if allowed and "admin" in allowed:
        return "admin"
    return "volunteer"


@pytest.fixture
def people(app: Flask, world: dict[str, Any]) -> dict[str, int | None]:
    from scheduler.models import Shift
    from scheduler.models.invitation import Invitation

    volunteer = make_user()
    shift = db.session.get(Shift, world["args"]["shift_id"])
    invitation = Invitation(
        shift_id=shift.id,
        user_id=volunteer.id,
        invited_by_id=world["admin"],
        expires_at=utcnow() + timedelta(days=2),
    )
    db.session.add(invitation)
    db.session.commit()
    world["args"]["invitation_id"] = invitation.id
    return {"anonymous": None, "admin": world["admin"], "volunteer": volunteer.id}


def _as(client, user_id: int | None) -> None:
    if user_id is None:
        with client.session_transaction() as sess:
            sess.clear()
    else:
        _sign_in(client, user_id)


class _Failures(list):
    """500s, and answers where the database refused what the checks in front of it let through."""

    def check(self, response, what: str) -> None:
        body = response.get_data(as_text=True)
        response.close()
        if response.status_code >= 500:
            self.append(f"{what} -> {response.status_code}")
        elif response.status_code == 400 and REFUSED_BY_DATABASE in body:
            self.append(f"{what} -> reached the database (its last-line 400)")


def _url_with(app: Flask, endpoint: str, rule: str, args: dict[str, Any]) -> str:
    rule_obj = next(r for r in app.url_map.iter_rules(endpoint) if r.rule == rule)
    with app.test_request_context():
        return url_for(endpoint, **{name: args[name] for name in rule_obj.arguments})


def _converters(app: Flask, endpoint: str, rule: str) -> dict[str, str]:
    rule_obj = next(r for r in app.url_map.iter_rules(endpoint) if r.rule == rule)
    return {name: type(conv).__name__ for name, conv in rule_obj._converters.items()}


def test_every_route_parameter_refuses_nul_and_huge_integers(app, world, people) -> None:
    client = app.test_client()
    failures = _Failures()
    for endpoint, rule, method in ROUTES:
        if endpoint in SKIP:
            continue
        for name, converter in _converters(app, endpoint, rule).items():
            if "Integer" in converter or "Int" in converter:
                values: list[Any] = [2**31, 2**63, 10**30]  # (the converter matches no sign)
            elif "Any" in converter:
                continue  # a fixed list of words: nothing else reaches the view
            else:
                values = NUL
            persona = _persona_for(endpoint, method)
            for value in values:
                url = _url_with(app, endpoint, rule, {**world["args"], name: value})
                _as(client, people[persona])
                failures.check(client.open(url, method=method), f"{persona} {method} {url}")
    assert not failures, "\n".join(failures)


def test_every_query_string_refuses_nul_huge_integers_and_extreme_dates(app, world, people) -> None:
    client = app.test_client()
    failures = _Failures()
    for endpoint, rule, method in ROUTES:
        if endpoint in SKIP or method != "GET":
            continue
        url = _url_with(app, endpoint, rule, world["args"])
        persona = _persona_for(endpoint, method)
        _as(client, people[persona])
        response = client.get(url)
        parser = _Forms()
        if response.mimetype == "text/html":
            parser.feed(response.get_data(as_text=True))
        response.close()
        keys = set(QUERY_KEYS) | {
            f[0] for form in parser.forms if form["method"] == "get" for f in form["fields"]
        }
        for value in [*NUL, *HUGE[::2], *EXTREME_DATES[:4]]:
            _as(client, people[persona])
            response = client.get(url, query_string={key: value for key in keys})
            failures.check(response, f"{persona} GET {url} with every parameter {value!r}")
    assert not failures, "\n".join(failures)


def _all_forms(app: Flask, client, world, people) -> dict[str, list[list[Any]]]:
    """Fields of every form on every page, by the path it posts to."""
    forms: dict[str, list[list[Any]]] = {}
    for endpoint, rule, method in ROUTES:
        if endpoint in SKIP or method != "GET":
            continue
        url = _url_with(app, endpoint, rule, world["args"])
        for persona in ("admin", "volunteer", "anonymous"):
            _as(client, people[persona])
            response = client.get(url)
            if response.status_code == 200 and response.mimetype == "text/html":
                parser = _Forms()
                parser.feed(response.get_data(as_text=True))
                for form in parser.forms:
                    if form["method"] == "post":
                        action = (form["action"] or url).split("?")[0]
                        forms.setdefault(action, form["fields"])
            response.close()
    return forms


def _hostile_values(kind: str) -> list[str]:
    """NUL, a 64-bit overflow and year 9999 for any field; the rest where a number or date is read."""
    values = [*NUL, HUGE[2], "9999-12-31"]
    if kind in NUMERIC_TYPES:
        values += [HUGE[0], HUGE[4]]
    if kind in DATE_TYPES:
        values += EXTREME_DATES[:4]
    return values


def test_every_form_field_refuses_nul_huge_integers_and_extreme_dates(app, world, people) -> None:
    """One hostile value in one field of an otherwise valid form, for every field of every form."""
    client = app.test_client()
    forms = _all_forms(app, client, world, people)
    failures = _Failures()
    for endpoint, rule, method in ROUTES:
        if endpoint in SKIP or method != "POST":
            continue
        url = _url_with(app, endpoint, rule, world["args"])
        fields = forms.get(url)
        if not fields:
            fields = [[name, "text", "", True] for name in ("value", "name", "q")]
        base, kinds = _base_payload(fields)
        persona = _persona_for(endpoint, method)
        for name, kind in kinds.items():
            for value in _hostile_values(kind):
                payload = [(n, value if n == name else v) for n, v in base]
                if not any(n == name for n, _ in payload):
                    payload.append((name, value))
                _as(client, people[persona])
                response = client.post(url, data=MultiDict(payload))
                failures.check(response, f"{persona} POST {url} {name}={value!r}")
            if kind == "checkbox":  # the same value twice in a list of choices
                payload = [*base, *[(n, v) for n, v in base if n == name]]
                _as(client, people[persona])
                failures.check(client.post(url, data=MultiDict(payload)), f"POST {url} {name} twice")
    assert not failures, "\n".join(failures)


def test_an_uploaded_csv_with_nul_huge_numbers_or_extreme_dates_is_refused(app, world) -> None:
    """Each cell of the template's example row, in turn, made hostile; then the import is confirmed."""
    from scheduler.domain.hearing_import import template_csv
    from scheduler.models import Court

    url = _import_url(app)
    if url is None:
        pytest.skip("no hearings import in this build")
    court = db.session.scalars(select(Court)).first()
    header, row = list(csv.reader(io.StringIO(template_csv(example_day=date(2031, 3, 12)))))[:2]
    row[0] = court.name
    client = app.test_client()
    failures = _Failures()
    for column, name in enumerate(header):
        for value in [row[column] + "\x00", HUGE[0], HUGE[2], *EXTREME_DATES[:4]]:
            cells = list(row)
            cells[column] = value
            out = io.StringIO()
            csv.writer(out).writerows([header, cells])
            _sign_in(client, world["admin"])
            data = {"file": (io.BytesIO(out.getvalue().encode()), "h.csv")}
            response = client.post(url, data=data, content_type="multipart/form-data")
            failures.check(response, f"upload with {name}={value!r}")
            if response.status_code != 302:
                continue
            preview = response.headers["Location"]
            shown = client.get(preview)
            failures.check(shown, f"preview with {name}={value!r}")
            if "\x00" in value and shown.status_code != 400:  # refused when read, not at the database
                failures.append(f"preview with {name}={value!r} -> {shown.status_code}, not 400")
            failures.check(client.post(preview, data={}), f"import with {name}={value!r}")
            db.session.rollback()
    assert not failures, "\n".join(failures)
