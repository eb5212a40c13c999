from datetime import timedelta

import pytest
from sqlalchemy import select

from scheduler.accounts import registry as accounts
from scheduler.accounts.registry import PasswordRejected
from scheduler.enums import Role, UserStatus
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.extensions import db
from scheduler.models import AuditEvent, PasswordResetToken
from tests.factories import make_court, make_user

HOUR = timedelta(hours=1)


def test_register_creates_a_pending_volunteer_with_a_lowercased_email(app) -> None:
    user = accounts.register_volunteer(
        db.session,
        email="  Ana@Example.ORG ",
        display_name=" Ana ",
        password="walnut river lantern",
        locale="es",
        phone="",
        min_length=10,
    )
    assert user.email == "ana@example.org"
    assert user.status == UserStatus.PENDING
    assert user.role == Role.VOLUNTEER
    assert user.display_name == "Ana"
    assert user.phone is None
    assert user.profile is not None


def test_register_with_a_taken_email_returns_none_and_creates_nothing(app) -> None:
    make_user(email="taken@example.org")
    result = accounts.register_volunteer(
        db.session,
        email="TAKEN@example.org",
        display_name="Someone",
        password="walnut river lantern",
        locale="en",
        phone=None,
        min_length=10,
    )
    assert result is None


def test_register_refuses_a_weak_password(app) -> None:
    with pytest.raises(PasswordRejected):
        accounts.register_volunteer(
            db.session,
            email="x@example.org",
            display_name="X",
            password="password1",
            locale="en",
            phone=None,
            min_length=10,
        )


def test_authenticate_accepts_the_right_password_only(app) -> None:
    user = make_user(email="ana@example.org")
    assert (
        accounts.authenticate(db.session, email="ANA@example.org", password="correct horse battery staple")
        is user
    )
    assert user.last_login_at is not None
    assert accounts.authenticate(db.session, email="ana@example.org", password="wrong password!") is None
    assert accounts.authenticate(db.session, email="nobody@example.org", password="whatever it is") is None


def test_reset_token_is_single_use(app) -> None:
    user = make_user()
    _, token = accounts.create_reset_token(db.session, email=user.email, max_age=HOUR)
    assert accounts.find_reset_token(db.session, token) is not None
    accounts.reset_password(db.session, token=token, new_password="a brand new phrase", min_length=10)
    assert accounts.find_reset_token(db.session, token) is None
    with pytest.raises(ServiceError):
        accounts.reset_password(db.session, token=token, new_password="another new phrase", min_length=10)


def test_reset_token_expires(app) -> None:
    user = make_user()
    _, token = accounts.create_reset_token(db.session, email=user.email, max_age=HOUR)
    row = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
    row.expires_at = row.expires_at - HOUR - timedelta(seconds=1)
    db.session.flush()
    assert accounts.find_reset_token(db.session, token) is None


def test_only_the_hash_of_a_reset_token_is_stored(app) -> None:
    user = make_user()
    _, token = accounts.create_reset_token(db.session, email=user.email, max_age=HOUR)
    row = db.session.scalar(select(PasswordResetToken))
    assert token not in row.token_hash


def test_using_one_reset_token_kills_the_others(app) -> None:
    user = make_user()
    _, first = accounts.create_reset_token(db.session, email=user.email, max_age=HOUR)
    _, second = accounts.create_reset_token(db.session, email=user.email, max_age=HOUR)
    accounts.reset_password(db.session, token=second, new_password="a brand new phrase", min_length=10)
    assert accounts.find_reset_token(db.session, first) is None


def test_reset_for_an_unknown_email_gives_nothing(app) -> None:
    assert accounts.create_reset_token(db.session, email="nobody@example.org", max_age=HOUR) is None
    assert db.session.scalar(select(PasswordResetToken)) is None


def test_password_change_needs_the_current_password_and_ends_sessions(app) -> None:
    user = make_user()
    version = user.session_version
    with pytest.raises(ServiceError):
        accounts.change_password(
            db.session, user=user, current="not it at all", new_password="a brand new phrase", min_length=10
        )
    accounts.change_password(
        db.session,
        user=user,
        current="correct horse battery staple",
        new_password="a brand new phrase",
        min_length=10,
    )
    assert user.session_version == version + 1
    assert accounts.authenticate(db.session, email=user.email, password="a brand new phrase") is user


def test_coordinator_approves_and_suspends_volunteers_with_an_audit_trail(app) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    volunteer = make_user(status=UserStatus.PENDING)
    accounts.set_status(db.session, actor=coordinator, user=volunteer, status=UserStatus.APPROVED)
    assert volunteer.status == UserStatus.APPROVED
    assert volunteer.approved_at is not None
    version = volunteer.session_version
    accounts.set_status(db.session, actor=coordinator, user=volunteer, status=UserStatus.SUSPENDED)
    assert volunteer.session_version == version + 1
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["user.approved", "user.suspended"]


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMIN])
def test_a_coordinator_cannot_suspend_staff(app, role) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    staff = make_user(role=role)
    with pytest.raises(PermissionDenied):
        accounts.set_status(db.session, actor=coordinator, user=staff, status=UserStatus.SUSPENDED)
    assert staff.status == UserStatus.APPROVED


def test_an_admin_can_suspend_a_coordinator(app) -> None:
    admin = make_user(role=Role.ADMIN)
    coordinator = make_user(role=Role.COORDINATOR)
    accounts.set_status(db.session, actor=admin, user=coordinator, status=UserStatus.SUSPENDED)
    assert coordinator.status == UserStatus.SUSPENDED


def test_a_volunteer_cannot_vet_anyone(app) -> None:
    volunteer = make_user()
    other = make_user(status=UserStatus.PENDING)
    with pytest.raises(PermissionDenied):
        accounts.set_status(db.session, actor=volunteer, user=other, status=UserStatus.APPROVED)


def test_nobody_changes_their_own_status_or_role(app) -> None:
    admin = make_user(role=Role.ADMIN)
    with pytest.raises(ServiceError):
        accounts.set_status(db.session, actor=admin, user=admin, status=UserStatus.SUSPENDED)
    with pytest.raises(ServiceError):
        accounts.set_role(db.session, actor=admin, user=admin, role=Role.VOLUNTEER)


def test_only_admins_change_roles_and_a_new_coordinator_is_approved(app) -> None:
    admin = make_user(role=Role.ADMIN)
    coordinator = make_user(role=Role.COORDINATOR)
    pending = make_user(status=UserStatus.PENDING)
    with pytest.raises(PermissionDenied):
        accounts.set_role(db.session, actor=coordinator, user=pending, role=Role.COORDINATOR)
    accounts.set_role(db.session, actor=admin, user=pending, role=Role.COORDINATOR)
    assert pending.role == Role.COORDINATOR
    assert pending.status == UserStatus.APPROVED


def test_admin_scopes_a_coordinator_to_courts(app) -> None:
    admin = make_user(role=Role.ADMIN)
    coordinator = make_user(role=Role.COORDINATOR)
    chicago, denver = make_court(), make_court()
    accounts.set_coordinator_courts(
        db.session, actor=admin, user=coordinator, court_ids=[chicago.id, denver.id]
    )
    assert {c.id for c in coordinator.coordinated_courts} == {chicago.id, denver.id}
    accounts.set_coordinator_courts(db.session, actor=admin, user=coordinator, court_ids=[])
    assert coordinator.coordinated_courts == []
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.courts_changed")).all()
    assert len(events) == 2


def test_court_scope_is_admin_only_and_for_coordinators_only(app) -> None:
    admin = make_user(role=Role.ADMIN)
    coordinator = make_user(role=Role.COORDINATOR)
    volunteer = make_user()
    court = make_court()
    with pytest.raises(PermissionDenied):
        accounts.set_coordinator_courts(db.session, actor=coordinator, user=coordinator, court_ids=[court.id])
    with pytest.raises(ServiceError):
        accounts.set_coordinator_courts(db.session, actor=admin, user=volunteer, court_ids=[court.id])
    with pytest.raises(ServiceError):
        accounts.set_coordinator_courts(db.session, actor=admin, user=coordinator, court_ids=[court.id + 999])


def test_create_user_refuses_a_taken_email(app) -> None:
    make_user(email="taken@example.org")
    with pytest.raises(ServiceError):
        accounts.create_user(
            db.session,
            email="taken@example.org",
            display_name="X",
            password="walnut river lantern",
            role=Role.ADMIN,
            min_length=10,
        )
