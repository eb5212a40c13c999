"""The audit log pages without counting every event, and finds its filter choices in the
index (issue 18 item 1, "pages that page").

The same statements for 3 events as for 60; no COUNT(*) and no SELECT DISTINCT over the table
(each action and object type is the next entry of an index after the one before); "Page 1"
and a next link instead of "Page 1 of N".
"""

from __future__ import annotations

import pytest

from scheduler import audit
from scheduler.enums import Role
from scheduler.extensions import db
from scheduler.models import AuditEvent
from scheduler.privacy import audit_log
from tests.factories import make_user
from tests.statements import statements

AUDIT = "/admin/audit"
ACTIONS = ("user.approved", "user.suspended", "hearing.updated", "feed.revoked")


def _events(actor, n: int, start: int = 0) -> None:
    for k in range(start, start + n):
        action = ACTIONS[k % len(ACTIONS)]
        audit.record(
            db.session, actor=actor, action=action, object_type=action.split(".")[0], object_id=k + 1
        )
    db.session.commit()


@pytest.mark.committed  # counts statements: the test harness's SAVEPOINTs must not be among them
def test_the_audit_log_runs_the_same_statements_for_few_and_many_events(app, client, auth) -> None:
    admin = make_user(role=Role.ADMIN)
    _events(admin, 3)
    auth.login_as(admin)
    client.get(AUDIT)
    few = statements(lambda: client.get(AUDIT))
    _events(admin, 57, start=3)
    client.get(AUDIT)
    many = statements(lambda: client.get(AUDIT))
    assert len(few) > 3 and len(many) == len(few), many
    lowered = [s.lower() for s in many]
    assert not [s for s in lowered if "count(" in s], "a page of the audit log counts every event"
    assert not [s for s in lowered if "distinct" in s], "the filter choices read the whole table"


def test_a_page_of_the_audit_log_links_to_the_next_without_a_total(app, client, auth) -> None:
    admin = make_user(role=Role.ADMIN)
    _events(admin, 60)
    auth.login_as(admin)
    per_page = app.config["PAGE_SIZE"]

    first = client.get(AUDIT).get_data(as_text=True)
    assert first.count("<code>") == per_page
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert "Page 1" in first and "Page 1 of" not in first

    second = client.get(f"{AUDIT}?page=2").get_data(as_text=True)
    assert second.count("<code>") == 60 - per_page
    assert 'rel="prev"' in second and 'rel="next"' not in second

    filtered = client.get(f"{AUDIT}?action=user.approved").get_data(as_text=True)
    assert filtered.count("<code>user.approved</code>") == 15 and 'rel="next"' not in filtered


def test_the_filter_choices_are_each_known_value_once_in_order(app) -> None:
    admin = make_user(role=Role.ADMIN)
    _events(admin, 9)
    audit.record(db.session, actor=None, action="", object_type="", object_id=None)
    db.session.flush()
    assert audit_log.known_values(db.session, AuditEvent.action) == sorted(ACTIONS)
    assert audit_log.known_values(db.session, AuditEvent.object_type) == ["feed", "hearing", "user"]


def test_no_event_gives_no_choices(app) -> None:
    assert audit_log.known_values(db.session, AuditEvent.action) == []
