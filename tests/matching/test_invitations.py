"""Invitations: created only for people who fit, answered once, accepting is claiming."""

from datetime import timedelta

import pytest

from scheduler.domain.eligibility import Reason
from scheduler.enums import Role, ShiftRole, SignupStatus
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.extensions import db
from scheduler.matching import invitations
from scheduler.matching.facts import MatchSettings
from scheduler.models import InvitationStatus
from scheduler.shifts.locking import own_signup
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_signup, make_user
from tests.matching_helpers import free_person, local_start

SETTINGS = MatchSettings()


@pytest.fixture
def setup(app):
    court = make_court()
    hearing = make_hearing(
        court=court, starts_at=local_start(3), seats={ShiftRole.ACCOMPANIER: 1}, languages=("es",)
    )
    return {
        "coordinator": make_user(role=Role.COORDINATOR),
        "shift": hearing.shifts[0],
        "person": free_person(languages=("es",)),
    }


def invite(setup, user=None):
    return invitations.invite(
        db.session,
        actor=setup["coordinator"],
        shift_id=setup["shift"].id,
        user_id=(user or setup["person"]).id,
        now=utcnow(),
        settings=SETTINGS,
    )


def test_invite_then_accept_takes_the_seat(setup):
    inv = invite(setup)
    assert inv.status == InvitationStatus.PENDING and inv.nonce
    answer = invitations.respond_to_invitation(
        db.session, invitation=inv, user=setup["person"], accept=True, now=utcnow()
    )
    assert answer.outcome == "accepted"
    assert inv.status == InvitationStatus.ACCEPTED and inv.nonce is None and inv.responded_at
    assert (
        own_signup(db.session, shift_id=setup["shift"].id, user_id=setup["person"].id).status
        == SignupStatus.CONFIRMED
    )
    with pytest.raises(ServiceError, match="not_pending"):
        invitations.respond_to_invitation(
            db.session, invitation=inv, user=setup["person"], accept=False, now=utcnow()
        )


def test_decline_records_it_and_assigns_nothing(setup):
    inv = invite(setup)
    answer = invitations.respond_to_invitation(
        db.session, invitation=inv, user=setup["person"], accept=False, now=utcnow()
    )
    assert answer.outcome == "declined" and inv.status == InvitationStatus.DECLINED
    assert own_signup(db.session, shift_id=setup["shift"].id, user_id=setup["person"].id) is None


def test_only_the_invited_person_can_answer(setup):
    inv = invite(setup)
    with pytest.raises(PermissionDenied):
        invitations.respond_to_invitation(
            db.session, invitation=inv, user=free_person(), accept=True, now=utcnow()
        )


def test_seat_taken_meanwhile_offers_the_waitlist(setup):
    inv = invite(setup)
    make_signup(shift=setup["shift"], user=free_person())
    answer = invitations.respond_to_invitation(
        db.session, invitation=inv, user=setup["person"], accept=True, now=utcnow()
    )
    assert answer.outcome == "full" and inv.status == InvitationStatus.PENDING
    answer = invitations.respond_to_invitation(
        db.session, invitation=inv, user=setup["person"], accept=True, now=utcnow(), join_waitlist=True
    )
    assert answer.outcome == "waitlisted" and inv.status == InvitationStatus.ACCEPTED


def test_an_expired_invitation_cannot_be_accepted(setup):
    inv = invite(setup)
    with pytest.raises(ServiceError, match="expired"):
        invitations.respond_to_invitation(
            db.session,
            invitation=inv,
            user=setup["person"],
            accept=True,
            now=setup["shift"].starts_at + timedelta(minutes=1),
        )
    assert inv.status == InvitationStatus.EXPIRED and inv.nonce is None


def test_no_invitation_for_someone_who_does_not_fit_or_twice(setup):
    with pytest.raises(invitations.NotEligible) as caught:
        invite(setup, user=free_person(languages=("es",), roles=(ShiftRole.DRIVER,)))
    assert {r.reason for r in caught.value.refusals} == {Reason.ROLE_NOT_OFFERED}
    invite(setup)
    with pytest.raises(ServiceError, match="already_invited"):
        invite(setup)


def test_a_scoped_coordinator_cannot_invite_elsewhere(setup):
    setup["coordinator"] = make_user(role=Role.COORDINATOR, courts=(make_court(),))
    with pytest.raises(PermissionDenied):
        invite(setup)


def test_send_plan_rechecks_each_line(setup):
    other = free_person(languages=("es",))
    report = invitations.send_plan(
        db.session,
        actor=setup["coordinator"],
        lines=[(setup["shift"].id, setup["person"].id), (setup["shift"].id, other.id), (999999, other.id)],
        now=utcnow(),
        settings=SETTINGS,
    )
    assert [i.user_id for i in report.created] == [setup["person"].id, other.id]
    assert all(i.from_plan for i in report.created)
    assert report.skipped == [(999999, other.id, "not_found")]
    make_signup(shift=setup["shift"], user=free_person())
    later = invitations.send_plan(
        db.session,
        actor=setup["coordinator"],
        lines=[(setup["shift"].id, free_person().id)],
        now=utcnow(),
        settings=SETTINGS,
    )
    assert later.created == [] and later.skipped[0][2] == "full"


def test_my_invitations_show_expired_ones_without_writing(setup):
    inv = invite(setup)
    db.session.commit()
    rows = invitations.my_invitations(
        db.session, user=setup["person"], now=setup["shift"].starts_at + timedelta(hours=1)
    )
    assert [(r.invitation, r.status) for r in rows] == [(inv, InvitationStatus.EXPIRED)]
    assert not db.session.dirty and inv.status == InvitationStatus.PENDING


def test_a_coordinator_withdraws_an_unanswered_invitation(setup):
    inv = invite(setup)
    shift_id, person_id = setup["shift"].id, setup["person"].id
    outsider = make_user(role=Role.COORDINATOR, courts=(make_court(),))
    with pytest.raises(PermissionDenied):
        invitations.withdraw(db.session, actor=outsider, shift_id=shift_id, user_id=person_id, now=utcnow())
    invitations.withdraw(
        db.session, actor=setup["coordinator"], shift_id=shift_id, user_id=person_id, now=utcnow()
    )
    assert inv.status == InvitationStatus.CANCELLED and inv.nonce is None
    with pytest.raises(ServiceError, match="not_pending"):
        invitations.respond_to_invitation(
            db.session, invitation=inv, user=setup["person"], accept=True, now=utcnow()
        )
    with pytest.raises(ServiceError, match="not_invited"):
        invitations.withdraw(
            db.session, actor=setup["coordinator"], shift_id=shift_id, user_id=person_id, now=utcnow()
        )
    assert invite(setup).status == InvitationStatus.PENDING  # the person can be invited again
