"""The audit log: recorded for sensitive actions, readable and filterable by admins only."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from scheduler import audit
from scheduler.enums import Role, UserStatus
from scheduler.extensions import db
from scheduler.models import AuditEvent
from scheduler.types import utcnow
from tests.factories import make_user


def _event(actor, action, object_id, days_ago=0) -> None:
    event = audit.record(db.session, actor=actor, action=action, object_type="user", object_id=object_id)
    event.created_at = utcnow() - timedelta(days=days_ago)


def test_admins_read_and_filter_the_audit_log(app, client, auth) -> None:
    admin = make_user(role=Role.ADMIN, display_name="Ada Admin")
    coordinator = make_user(role=Role.COORDINATOR, display_name="Cora Coordinator")
    _event(coordinator, "user.approved", 11)
    _event(coordinator, "user.suspended", 12, days_ago=10)
    _event(admin, "user.role_changed", 13)
    db.session.commit()
    auth.login_as(admin)

    page = client.get("/admin/audit").get_data(as_text=True)
    assert all(a in page for a in ("user.approved", "user.suspended", "user.role_changed"))
    only = client.get("/admin/audit?action=user.approved").get_data(as_text=True)
    assert "user.approved" in only and "user.suspended</code>" not in only
    by_actor = client.get("/admin/audit?actor=cora").get_data(as_text=True)
    assert "user.role_changed</code>" not in by_actor and "user.approved</code>" in by_actor
    by_object = client.get("/admin/audit?object_type=user&object_id=12").get_data(as_text=True)
    assert "user.suspended</code>" in by_object and "user.approved</code>" not in by_object
    since = (utcnow() - timedelta(days=2)).date().isoformat()
    recent = client.get(f"/admin/audit?since={since}").get_data(as_text=True)
    assert "user.suspended</code>" not in recent and "user.approved</code>" in recent
    bad = client.get("/admin/audit?since=yesterday&object_id=abc")
    assert bad.status_code == 200 and "not valid" in bad.get_data(as_text=True)


def test_coordinators_and_volunteers_cannot_read_it(app, client, auth) -> None:
    for role in (Role.COORDINATOR, Role.VOLUNTEER):
        person = make_user(role=role)
        db.session.commit()
        auth.login_as(person)
        assert client.get("/admin/audit").status_code == 403
        auth.logout()


def test_approving_and_role_changes_are_recorded_with_actor_and_object(app, client, auth) -> None:
    admin = make_user(role=Role.ADMIN)
    pending = make_user(status=UserStatus.PENDING)
    db.session.commit()
    auth.login_as(admin)
    client.post(f"/people/{pending.id}/status", data={"status": "approved"})
    client.post(f"/people/{pending.id}/role", data={"role": "coordinator"})
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.object_id == pending.id)).all()
    actions = {(e.action, e.actor_id) for e in rows}
    assert ("user.approved", admin.id) in actions and ("user.role_changed", admin.id) in actions


def test_admin_nav_links_to_the_audit_log(app, client, auth) -> None:
    admin = make_user(role=Role.ADMIN)
    db.session.commit()
    auth.login_as(admin)
    assert 'href="/admin/audit"' in client.get("/account/").get_data(as_text=True)


def test_a_coordinator_opening_a_hearing_page_is_recorded(app, client, auth) -> None:
    from tests.factories import make_hearing

    coordinator = make_user(role=Role.COORDINATOR)
    hearing = make_hearing(respondent_ref="J.", private_notes="note")
    db.session.commit()
    auth.login_as(coordinator)
    assert client.get(f"/hearings/{hearing.id}").status_code == 200
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "hearing.private_viewed"))
    assert event.actor_id == coordinator.id and event.object_id == hearing.id
