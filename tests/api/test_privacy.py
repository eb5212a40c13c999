"""Every API response, for every kind of caller, shows only what the pages would show them.

The respondent reference and private notes reach only a coordinator of the hearing's court whose
token says read:private (and only on the hearing itself, where the read is written to the audit
log); the meeting point and notes reach the hearing's coordinators and the volunteers with a
confirmed seat; other volunteers' names, emails and phones reach no one. The routes come from the
URL map, so a new API route is walked here without anyone adding it.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from scheduler.enums import Role, SignupStatus
from scheduler.extensions import db
from tests.factories import make_api_token, make_court, make_hearing, make_signup, make_user
from tests.security.test_authz_matrix import JSON_DATA, ROUTES, _url

API_ROUTES = [(e, r, m) for e, r, m in ROUTES if e.startswith("api.")]
PRIVATE = ("MARKER-RESP", "MARKER-PRIV")
DETAILS = ("MARKER-MEET", "MARKER-PUB")
PEOPLE = ("Vera Teammate", "vera.teammate@example.test", "+1 555 0100")
CALLERS = (
    "volunteer",  # a confirmed seat on the hearing
    "waitlisted",
    "other_volunteer",
    "coordinator_private",  # the court's coordinator, token with read:private
    "coordinator",  # the same coordinator's token without it
    "other_coordinator_private",  # another court's coordinator, read:private
    "admin",  # read:private
)
# Who may see what (only on the responses that carry it).
SEES_PRIVATE = {"coordinator_private", "admin"}
SEES_DETAILS = {"volunteer", "coordinator_private", "coordinator", "admin"}


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    court = make_court(name="Privacy Court")
    hearing = make_hearing(
        court=court,
        respondent_ref="MARKER-RESP",
        private_notes="MARKER-PRIV",
        meeting_point="MARKER-MEET",
        public_notes="MARKER-PUB",
    )
    volunteer, waitlisted, other = make_user(), make_user(), make_user()
    teammate = make_user(display_name=PEOPLE[0], email=PEOPLE[1])
    teammate.phone = PEOPLE[2]
    make_signup(shift=hearing.shifts[0], user=volunteer)
    make_signup(shift=hearing.shifts[0], user=teammate, team_lead=True)
    make_signup(shift=hearing.shifts[0], user=waitlisted, status=SignupStatus.WAITLISTED)
    coordinator = make_user(role=Role.COORDINATOR, courts=(court,))
    outsider = make_user(role=Role.COORDINATOR, courts=(make_court(),))
    tokens = {
        "volunteer": make_api_token(volunteer, private=True),
        "waitlisted": make_api_token(waitlisted),
        "other_volunteer": make_api_token(other),
        "coordinator_private": make_api_token(coordinator, private=True),
        "coordinator": make_api_token(coordinator),
        "other_coordinator_private": make_api_token(outsider, private=True),
        "admin": make_api_token(make_user(role=Role.ADMIN), private=True),
    }
    db.session.commit()
    args = {"hearing_id": hearing.id, "shift_id": hearing.shifts[0].id, "court_id": court.id}
    return {"tokens": tokens, "args": args, "day": hearing.starts_at.date().isoformat()}


@pytest.mark.parametrize(
    ("endpoint", "rule", "method"), API_ROUTES, ids=[f"{m} {r}" for _, r, m in API_ROUTES]
)
def test_every_api_response_shows_each_caller_only_their_share(app, world, endpoint, rule, method) -> None:
    url = _url(rule, world["args"], app, endpoint)
    if endpoint == "api.day_coverage":
        url += f"?day={world['day']}"
    body = {
        k: world["args"]["court_id"] if v == "{court_id}" else v
        for k, v in JSON_DATA.get(endpoint, {}).items()
    }
    client = app.test_client()
    for caller in CALLERS:
        headers = {"Authorization": f"Bearer {world['tokens'][caller]}"}
        response = client.open(url, method=method, headers=headers, json=body if method != "GET" else None)
        text = response.get_data(as_text=True)
        assert response.status_code < 500, f"{caller}: {method} {url} -> {response.status_code}"
        for marker in PEOPLE:
            assert marker not in text, f"{caller}: {method} {url} shows {marker!r}"
        for marker in PRIVATE:
            if marker in text:
                assert caller in SEES_PRIVATE and endpoint == "api.get_hearing", (
                    f"{caller}: {url} shows {marker}"
                )
        for marker in DETAILS:
            if marker in text:
                assert caller in SEES_DETAILS, f"{caller}: {method} {url} shows {marker}"


def test_the_private_details_do_reach_the_courts_coordinator_with_the_scope(app, world) -> None:
    """The walk above can only fail if the markers do show somewhere: here they must."""
    client = app.test_client()
    url = f"/api/v1/hearings/{world['args']['hearing_id']}"

    def shown(caller: str) -> dict[str, Any]:
        return client.get(url, headers={"Authorization": f"Bearer {world['tokens'][caller]}"}).get_json()

    assert shown("coordinator_private")["private_notes"] == "MARKER-PRIV"
    assert shown("coordinator")["respondent_ref"] is None
    assert (
        shown("volunteer")["meeting_point"] == "MARKER-MEET" and shown("volunteer")["private_notes"] is None
    )
    assert shown("waitlisted")["meeting_point"] is None
