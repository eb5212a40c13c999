"""Every route of the app, walked as seven kinds of visitor, against a table of who may pass.

The routes come from the app's URL map: a new route fails ``test_every_route_is_classified``
until someone adds it to RULES below, stating who may use it. "Allowed" means the request got
past authorisation: anything but 401, 403, 404 or a redirect to the sign-in page. A 400 for an
empty form or a redirect back with a message is allowed (the server let the person try).
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from scheduler import create_app
from scheduler.enums import Role, UserStatus
from scheduler.extensions import db
from scheduler.models import User
from scheduler.types import utcnow
from tests.conftest import base_config
from tests.factories import (
    make_api_token,
    make_court,
    make_hearing,
    make_signup,
    make_user,
    session_id_for,
)
from tests.security.helpers import casework_world, rapid_response_world

PERSONAS = (
    "anonymous",
    "pending",
    "other_volunteer",  # approved, holds a seat at another hearing, not this one
    "volunteer",  # holds a seat at the hearing under test
    "other_coordinator",  # scoped to another court
    "coordinator",  # scoped to the hearing's court
    "admin",
)
EVERYONE = frozenset(PERSONAS)
SIGNED_IN = EVERYONE - {"anonymous"}
APPROVED = SIGNED_IN - {"pending"}
STAFF = frozenset({"other_coordinator", "coordinator", "admin"})
SCOPED = frozenset({"coordinator", "admin"})
ADMIN = frozenset({"admin"})
OWN = frozenset({"volunteer"})  # the volunteer's own seat or invitation, nobody else's
SEAT_HOLDER = OWN | SCOPED  # the hearing's own volunteer and its coordinators
# A link carrying a secret (feed, reset, unsubscribe, import preview): with a made-up secret
# every visitor must get the same answer, so nothing is learnt from who asks.
TOKEN = "token"

RULES: dict[str, dict[str, Any]] = {
    "static": {"GET": EVERYONE},
    "main.home": {"GET": EVERYONE},
    "main.healthz": {"GET": EVERYONE},
    "main.set_language": {"POST": EVERYONE},
    "auth.login": {"GET": EVERYONE, "POST": EVERYONE},
    "auth.logout": {"POST": SIGNED_IN},
    "auth.register": {"GET": EVERYONE, "POST": EVERYONE},
    "auth.registered": {"GET": EVERYONE},
    "auth.forgot_password": {"GET": EVERYONE, "POST": EVERYONE},
    "auth.reset_password": {"GET": TOKEN, "POST": TOKEN},
    "twofactor.verify": {"GET": EVERYONE, "POST": EVERYONE},  # redirects to sign-in without a half sign-in
    "twofactor.enrol_at_login": {"GET": EVERYONE, "POST": EVERYONE},
    "twofactor.manage": {"GET": APPROVED},
    "twofactor.enable": {"POST": APPROVED},
    "twofactor.regenerate_codes": {"POST": APPROVED},
    "twofactor.disable": {"POST": APPROVED},
    "account.profile": {"GET": APPROVED, "POST": APPROVED},
    "account.change_password": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "account.volunteer_profile": {"GET": APPROVED, "POST": APPROVED},
    "account.api_tokens_page": {"GET": APPROVED, "POST": APPROVED},
    "account.revoke_api_token": {"POST": OWN},  # the volunteer's own token; anyone else's is a 404
    "privacy.sign_out_everywhere": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "privacy.export_data": {"GET": SIGNED_IN},
    "privacy.delete_account": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "admin.audit_log_page": {"GET": ADMIN},
    "admin.security_settings": {"GET": ADMIN, "POST": ADMIN},
    "admin.lock_down": {"GET": ADMIN, "POST": ADMIN},
    "admin.reset_two_factor": {"POST": ADMIN},
    "admin.failed_mail_page": {"GET": ADMIN},
    "admin.retry_mail": {"POST": ADMIN},
    "admin.discard_mail": {"POST": ADMIN},
    "people.list_people": {"GET": STAFF},
    "people.show_person": {"GET": STAFF},
    "people.set_status": {"POST": STAFF},
    "people.set_role": {"POST": ADMIN},
    "people.set_courts": {"POST": ADMIN},
    "courts.list_courts": {"GET": STAFF},
    "courts.new_court": {"GET": STAFF, "POST": STAFF},
    "courts.edit_court": {"GET": SCOPED, "POST": SCOPED},
    "courts.edit_card": {"GET": ADMIN, "POST": ADMIN},  # the court-day card: admins only (issue 19)
    "hearings.dashboard": {"GET": STAFF},
    "hearings.calendar": {"GET": STAFF},
    "hearings.new_hearing": {"GET": STAFF, "POST": STAFF},
    "hearings.show_hearing": {"GET": SEAT_HOLDER},
    "hearings.edit_hearing": {"GET": SCOPED, "POST": SCOPED},
    "hearings.next_hearing": {"GET": SCOPED, "POST": SCOPED},
    "hearings.reschedule_hearing": {"GET": SCOPED, "POST": SCOPED},
    "hearings.cancel_hearing": {"GET": SCOPED, "POST": SCOPED},
    "hearings.import_hearings": {"GET": STAFF, "POST": STAFF},
    "hearings.import_template": {"GET": STAFF},
    "hearings.preview_import": {"GET": STAFF, "POST": STAFF},  # an uploaded file's token: staff only
    "hearings.import_progress": {"GET": STAFF},  # two numbers about an upload of theirs: staff only
    "shifts.open_shifts": {"GET": APPROVED},
    "shifts.my_commitments": {"GET": APPROVED},
    "shifts.mark_commitments_seen": {"POST": APPROVED},
    "shifts.show_shift": {
        "GET": APPROVED - {"other_coordinator"}
    },  # open seats: any volunteer; staff in scope
    "shifts.claim_shift": {"POST": APPROVED},
    "shifts.drop_shift": {"POST": APPROVED},
    "shifts.offer_handover": {"POST": APPROVED},
    "shifts.withdraw_handover": {"POST": APPROVED},
    "shifts.take_handover": {"POST": APPROVED},
    "shifts.assign_volunteer": {"POST": SCOPED},
    "shifts.remove_volunteer": {"POST": SCOPED},
    "shifts.set_team_lead": {"POST": SCOPED},
    "shifts.mark_attendance": {"POST": SCOPED},
    "shifts.save_outcome": {"POST": SCOPED},
    "shifts.set_capacity": {"POST": SCOPED},
    "feeds.show_feed": {"GET": TOKEN},
    "feeds.download_event": {"GET": OWN},  # the .ics of one's own seat
    "feeds.subscribe": {"GET": APPROVED},
    "feeds.update_settings": {"POST": APPROVED},
    "feeds.create_link": {"POST": APPROVED},
    "feeds.turn_off": {"POST": APPROVED},
    "notifications.edit_preferences": {"GET": APPROVED, "POST": APPROVED},
    "notifications.unsubscribe": {"GET": TOKEN},
    "notifications.apply_unsubscribe": {"POST": TOKEN},
    "notifications.respond_invitation": {"GET": TOKEN},
    "notifications.apply_invitation_response": {"POST": TOKEN},
    # One's own channels (issue 19): a number and its code, push devices, urgent-alert choices.
    "channels.add_phone": {"POST": APPROVED},
    "channels.verify_phone": {"POST": APPROVED},
    "channels.remove_phone": {"POST": APPROVED},
    "channels.save_urgent_channels": {"POST": APPROVED},
    "channels.subscribe_push": {"POST": APPROVED},
    "channels.unsubscribe_push": {"POST": APPROVED},
    "channels.save_kind_channels": {"POST": APPROVED},
    "matching.invite_volunteer": {"POST": SCOPED},
    "matching.withdraw_invitation": {"POST": SCOPED},
    "matching.plan_form": {"GET": STAFF},
    "matching.compute_plan": {"POST": STAFF},
    "matching.send_plan": {"POST": STAFF},
    "matching.my_invitations": {"GET": APPROVED},
    "matching.answer_invitation": {"POST": OWN},  # the volunteer's own invitation
    "casework.repeat_hearing": {"GET": SCOPED, "POST": SCOPED},
    "casework.show_series": {"GET": SCOPED},
    "casework.skip_date": {"POST": SCOPED},
    "casework.change_following": {"POST": SCOPED},
    "casework.awaiting_list": {"GET": STAFF},
    "casework.new_awaiting": {"GET": STAFF, "POST": STAFF},
    "casework.awaiting_after": {"GET": SCOPED, "POST": SCOPED},
    "casework.set_date": {"GET": SCOPED, "POST": SCOPED},
    "casework.check_again": {"POST": SCOPED},
    "casework.file_report": {"GET": OWN, "POST": OWN},  # a confirmed seat at that hearing
    "casework.my_reports": {"GET": APPROVED},
    "casework.court_watch_page": {"GET": STAFF},  # counts within the coordinator's own courts
    "casework.court_watch_csv": {"GET": STAFF},
    "response.check_in": {"POST": OWN},  # the seat's own holder
    "response.today": {"GET": STAFF},  # each coordinator sees their own courts
    "response.today_board": {"GET": STAFF},
    "response.alert_form": {"GET": SEAT_HOLDER},
    "response.raise_alert": {"POST": SEAT_HOLDER},  # outside the window: refused with a message
    "response.show_incident": {"GET": SCOPED},
    "response.incident_reached": {"GET": SCOPED},
    "response.close_incident": {"POST": SCOPED},
    "response.acknowledge_form": {"GET": TOKEN},  # the single-use link in an alert
    "response.acknowledge": {"POST": TOKEN},
    "response.oncall_page": {"GET": SCOPED},
    "response.add_oncall": {"POST": SCOPED},
    "response.remove_oncall": {"POST": SCOPED},
    "response.monthly_summary": {"GET": SCOPED},
    # The JSON API (scheduler/api): each persona sends its own bearer token (read and write, and
    # read:private), never a cookie that counts; anonymous and pending people have no token.
    "api_docs.openapi_document": {"GET": EVERYONE},
    "api_docs.documentation": {"GET": EVERYONE},
    "api.list_courts": {"GET": APPROVED},
    "api.list_hearings": {"GET": STAFF},
    "api.create_hearing": {"POST": STAFF},  # another court's coordinator: 422, not in their scope
    "api.get_hearing": {"GET": SEAT_HOLDER},
    "api.update_hearing": {"PATCH": SCOPED},
    "api.reschedule_hearing": {"POST": SCOPED},
    "api.cancel_hearing": {"POST": SCOPED},
    "api.list_open_seats": {"GET": APPROVED},
    "api.get_shift": {"GET": APPROVED - {"other_coordinator"}},  # as shifts.show_shift
    "api.list_commitments": {"GET": APPROVED},
    "api.claim_seat": {"POST": APPROVED},
    "api.drop_seat": {"POST": APPROVED},
    "api.day_coverage": {"GET": STAFF},
}

# Valid JSON bodies for the API's writes, so that what answers is the authorisation.
JSON_DATA: dict[str, dict[str, Any]] = {
    "api.create_hearing": {
        "court_id": "{court_id}",
        "date": "2099-03-03",
        "time": "09:00",
        "kind": "master",
        "duration_minutes": 60,
        "seats": {"accompanier": {"count": 1}},
    },
    "api.update_hearing": {"kind": "master", "duration_minutes": 90},
    "api.reschedule_hearing": {"date": "2099-04-04", "time": "10:00"},
    "api.cancel_hearing": {"reason": "The court closed."},
    "api.claim_seat": {},
    "api.drop_seat": {"reason": "Sick."},
}

# Valid-looking forms for staff actions that check the form before the scope, so the scope
# check is what answers ("{volunteer}" is replaced by the seat holder's id).
FORM_DATA: dict[str, dict[str, str]] = {
    "shifts.assign_volunteer": {"user_id": "{target}"},
    "shifts.remove_volunteer": {"user_id": "{volunteer}"},
    "shifts.set_team_lead": {"user_id": "{volunteer}", "lead": "y"},
    "shifts.mark_attendance": {"user_id": "{volunteer}", "attendance": "attended"},
    "shifts.save_outcome": {"note": "went well"},
    "shifts.set_capacity": {"capacity": "3"},
}

BOGUS_TOKEN = "Zq3v8d0T1pQx7Wn2Yb5Lk9Hs4Jr6Mc0Ve8Nf2Ga1Bt5"


def _route_table() -> list[tuple[str, str, str]]:
    """(endpoint, rule, method) for every route, read from a real app's URL map."""
    app = create_app(base_config("sqlite://"))
    rows = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            rows.append((rule.endpoint, rule.rule, method))
    return sorted(rows)


ROUTES = _route_table()


def test_every_route_is_classified() -> None:
    unknown = [f"{m} {rule} ({endpoint})" for endpoint, rule, m in ROUTES if m not in RULES.get(endpoint, {})]
    assert not unknown, (
        "These routes are not in tests/security/test_authz_matrix.py RULES; say who may use them:\n  "
        + "\n  ".join(unknown)
    )


def test_public_views_are_marked_public() -> None:
    """A view open to anonymous visitors says so with @public (read by reviewers and this test)."""
    app = create_app(base_config("sqlite://"))
    for endpoint, rules in RULES.items():
        opens_to_anonymous = any(v == TOKEN or (v != TOKEN and "anonymous" in v) for v in rules.values())
        if endpoint == "static" or not opens_to_anonymous:
            continue
        view = app.view_functions[endpoint]
        marked = getattr(view, "is_public", False) or getattr(
            getattr(view, "__wrapped__", None), "is_public", False
        )
        assert marked, f"{endpoint} is open to anonymous visitors but not marked @public"


@pytest.fixture
def app_config(database_url):
    config = base_config(database_url)
    config["RATELIMIT_ENABLED"] = False
    return config


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    court = make_court(name="Matrix Court")
    other_court = make_court(name="Other Matrix Court")
    hearing = make_hearing(court=court)
    other_hearing = make_hearing(court=other_court)
    people = {
        "pending": make_user(status=UserStatus.PENDING),
        "other_volunteer": make_user(),
        "volunteer": make_user(),
        "other_coordinator": make_user(role=Role.COORDINATOR, courts=(other_court,)),
        "coordinator": make_user(role=Role.COORDINATOR, courts=(court,)),
        "admin": make_user(role=Role.ADMIN),
    }
    make_signup(shift=hearing.shifts[0], user=people["volunteer"])
    make_signup(shift=other_hearing.shifts[0], user=people["other_volunteer"])
    # Stamped as just used: the walk meets no hourly last-use write (pinned in test_get_writes_nothing).
    tokens = {
        name: make_api_token(user, write=True, private=True, last_used_at=utcnow())
        for name, user in people.items()
        if name != "pending"
    }
    target = make_user(display_name="Matrix Target")
    invitation_id = _invitation(other_hearing.shifts[0].id, people["volunteer"].id, people["coordinator"].id)
    message_id = _failed_message(target)
    series_id, awaiting_id = casework_world(hearing, people["coordinator"])
    incident_id, entry_id = rapid_response_world(hearing, people["coordinator"])
    db.session.commit()
    return {
        "people": {k: v.id for k, v in people.items()},
        "tokens": tokens,
        "args": {
            "hearing_id": hearing.id,
            "shift_id": hearing.shifts[0].id,
            "user_id": target.id,
            "court_id": court.id,
            "token": BOGUS_TOKEN,
            "kind": "personal",
            "filename": "css/app.css",
            "invitation_id": invitation_id,
            "answer": "decline",
            "message_id": message_id,
            "series_id": series_id,
            "awaiting_id": awaiting_id,
            "incident_id": incident_id,
            "entry_id": entry_id,
            "token_id": _token_id(tokens["volunteer"]),
        },
    }


def _token_id(secret: str) -> int:
    from scheduler.accounts.api_tokens import hash_token
    from scheduler.models import ApiToken

    return db.session.scalar(db.select(ApiToken.id).where(ApiToken.token_hash == hash_token(secret)))


def _failed_message(user: User) -> int:
    """A message the worker gave up on, for the admins' failed-mail routes."""
    from scheduler.models import OutboxMessage, OutboxStatus
    from scheduler.notifications import outbox

    message = outbox.Composed(kind="test", subject="S", text="T")
    row_id = outbox.enqueue(db.session, user=user, message=message)
    row = db.session.get(OutboxMessage, row_id)
    row.status, row.attempts, row.last_error = OutboxStatus.FAILED, 10, "SMTPRecipientsRefused 550"
    return row_id


def _invitation(shift_id: int, user_id: int, by_id: int) -> int | None:
    try:
        from scheduler.models.invitation import Invitation
    except ImportError:  # a build without matching
        return None
    invitation = Invitation(
        shift_id=shift_id, user_id=user_id, invited_by_id=by_id, expires_at=utcnow() + timedelta(days=2)
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation.id


def _as(client: FlaskClient, user_id: int | None) -> None:
    """Put the persona's session in place directly (no password hashing per request)."""
    with client.session_transaction() as sess:
        sess.clear()
        if user_id is not None:
            db.session.expire_all()
            user = db.session.get(User, user_id)
            sess["_user_id"] = session_id_for(user)
            sess["_fresh"] = True
            sess["seen"] = int(time.time())


def _request(endpoint: str, persona: str, world: dict[str, Any], data: dict[str, str]) -> dict[str, Any]:
    """A page's form, or for the API the persona's bearer token and a JSON body (the cookie stays)."""
    if not endpoint.startswith("api."):
        return {"data": data}
    token = world["tokens"].get(persona)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {
        k: (world["args"]["court_id"] if v == "{court_id}" else v)
        for k, v in JSON_DATA.get(endpoint, {}).items()
    }
    return {"headers": headers, "json": body} if endpoint in JSON_DATA else {"headers": headers}


def _allowed(response) -> bool:
    if response.status_code in (401, 403, 404):
        return False
    # Flask-Login sends the refused to the sign-in page with ?next=; signing out goes there without.
    location = response.headers.get("Location", "")
    return not (response.status_code in (301, 302, 303) and "/auth/login?next=" in location)


def _url(rule: str, args: dict[str, Any], app: Flask, endpoint: str) -> str:
    with app.test_request_context():
        from flask import url_for

        rule_obj = next(r for r in app.url_map.iter_rules(endpoint) if r.rule == rule)
        values = {name: args[name] for name in rule_obj.arguments}
        return url_for(endpoint, **values)


# WTForms 3.3 deprecates tuple choices (scheduler/shifts/forms.py AttendanceForm still uses them);
# that is for the forms' owners to fix, not a reason for this matrix to stop.
@pytest.mark.parametrize(("endpoint", "rule", "method"), ROUTES, ids=[f"{m} {r}" for _, r, m in ROUTES])
def test_route_allows_exactly_the_expected_visitors(app, world, endpoint, rule, method) -> None:
    expected = RULES.get(endpoint, {}).get(method)
    if expected is None:
        pytest.fail(f"{method} {rule} ({endpoint}) is not classified in RULES")
    app.config["RATELIMIT_ENABLED"] = False
    url = _url(rule, world["args"], app, endpoint)
    ids = {"volunteer": world["people"]["volunteer"], "target": world["args"]["user_id"]}
    data = {k: v.format(**ids) for k, v in FORM_DATA.get(endpoint, {}).items()}
    client = app.test_client()
    seen: dict[str, int] = {}
    allowed = set()
    for persona in PERSONAS:
        _as(client, world["people"].get(persona))
        response = client.open(url, method=method, **_request(endpoint, persona, world, data))
        response.close()
        assert response.status_code < 500, f"{persona}: {method} {url} -> {response.status_code}"
        seen[persona] = response.status_code
        if _allowed(response):
            allowed.add(persona)
    if expected == TOKEN:
        assert len(set(seen.values())) == 1, f"{method} {url}: answers differ by visitor {seen}"
        return
    assert allowed == set(expected), (
        f"{method} {url}: allowed {sorted(allowed)}, expected {sorted(expected)}; statuses {seen}"
    )
