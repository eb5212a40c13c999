"""Every route states who may call it: anything not marked @public refuses anonymous visitors."""

import pytest
from werkzeug.routing import Rule


def _url(rule: Rule, ids: dict[str, int] | None = None) -> str:
    """A URL for the rule with placeholder arguments (an id from ``ids`` or 1, a word, a date)."""
    values = {}
    for name, converter in rule._converters.items():
        choices = sorted(getattr(converter, "items", ()))
        for candidate in choices or ((ids or {}).get(name, 1), "x", "2026-01-05"):
            try:
                converter.to_url(candidate)
            except (ValueError, TypeError, AttributeError):
                continue
            values[name] = candidate
            break
    return rule.build(values, append_unknown=False)[1]


def _open_routes(app, client) -> list[str]:
    """Routes not marked @public that an anonymous visitor gets through to."""
    problems = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        if getattr(view, "is_public", False):
            continue
        # The rule's own method (an API rule may offer PATCH alone, beside a GET rule at its path).
        method = "GET" if "GET" in rule.methods else sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})[0]
        response = client.open(_url(rule), method=method)
        refused = response.status_code in (401, 403) or (
            response.status_code == 302 and "/auth/login" in response.headers.get("Location", "")
        )
        if not refused:
            problems.append(f"{method} {rule.rule} ({rule.endpoint}) -> {response.status_code}")
    return problems


def test_every_non_public_route_refuses_anonymous_visitors(app, client) -> None:
    problems = _open_routes(app, client)
    assert not problems, "routes open to anonymous visitors without @public:\n" + "\n".join(problems)


@pytest.mark.own_app  # adds a route
def test_the_audit_catches_an_unguarded_route(app, client) -> None:
    app.add_url_rule("/test-only-unguarded", "test_only_unguarded", lambda: "open")
    assert _open_routes(app, client) == ["GET /test-only-unguarded (test_only_unguarded) -> 200"]


def test_public_routes_are_few_and_known(app) -> None:
    public = sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if getattr(app.view_functions[rule.endpoint], "is_public", False)
    )
    foundation = {
        "main.home",
        "main.healthz",
        "main.set_language",
        "auth.login",
        "auth.register",
        "auth.registered",
        "auth.forgot_password",
        "auth.reset_password",
    }
    assert foundation <= set(public)


def test_a_pending_volunteer_sees_nothing_of_any_hearing_anywhere(app, client, auth) -> None:
    """Every page a signed-in person can open, opened by someone not yet approved.

    Every URL below is built with the ids of the court, hearing, shift and person made here
    (ids are not 1 on PostgreSQL, whose sequences a rolled-back test does not rewind), so a
    route that forgot its check would show the marker.
    """
    from scheduler.enums import UserStatus
    from scheduler.extensions import db
    from tests.factories import make_court, make_hearing, make_user

    court = make_court(name="Zanzibar Marker Immigration Court")
    hearing = make_hearing(court=court, courtroom="Courtroom-QX-4417", public_notes="Marker-Notes-5521")
    pending = make_user(status=UserStatus.PENDING)
    db.session.commit()
    ids = {
        "court_id": court.id,
        "hearing_id": hearing.id,
        "shift_id": hearing.shifts[0].id,
        "user_id": pending.id,
    }
    auth.login_as(pending)
    leaks = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in rule.methods:
            continue
        response = client.get(_url(rule, ids))
        body = response.get_data(as_text=True)
        if any(marker in body for marker in ("Zanzibar Marker", "QX-4417", "Marker-Notes")):
            leaks.append(f"{rule.rule} -> {response.status_code}")
    assert not leaks, "a pending volunteer saw hearing data at:\n" + "\n".join(leaks)
