"""Emailed invitation links: signed, single use, expiring; refused with a page that says why."""

from __future__ import annotations

import re
from datetime import timedelta

from scheduler.enums import Role, ShiftRole
from scheduler.extensions import db
from scheduler.matching import invitations
from scheduler.matching.facts import MatchSettings
from scheduler.notifications.worker import send_once
from scheduler.types import utcnow
from tests.factories import make_hearing, make_user
from tests.matching_helpers import free_person, local_start
from tests.notifications.smtp.conftest import parts

MARKER = "RESP-MARKER-4410"


def _received(smtp_server) -> dict[str, object]:
    send_once()
    return {m["To"]: m for m in smtp_server.messages}


def _invite(smtp_server):
    hearing = make_hearing(starts_at=local_start(3), seats={ShiftRole.ACCOMPANIER: 1}, respondent_ref=MARKER)
    person = free_person(languages=("es",), email="invited@example.org")
    coordinator = make_user(role=Role.COORDINATOR)
    db.session.commit()
    invitation = invitations.invite(
        db.session,
        actor=coordinator,
        shift_id=hearing.shifts[0].id,
        user_id=person.id,
        now=utcnow(),
        settings=MatchSettings(),
    )
    db.session.commit()
    message = _received(smtp_server)["invited@example.org"]
    assert MARKER not in message.as_string()
    text = parts(message)["text"]
    accept, decline = re.findall(r"https://accompany\.test(/invitations/respond/\S+)", text)
    return invitation, accept, decline


def test_an_invitation_link_accepts_once(app, client, smtp_server) -> None:
    invitation, accept, decline = _invite(smtp_server)
    page = client.get(accept)
    assert page.status_code == 200 and "Yes, I can come" in page.get_data(as_text=True)
    assert invitation.status.value == "pending"  # opening the link changes nothing
    done = client.post(accept)
    assert done.status_code == 200 and "You have the seat" in done.get_data(as_text=True)
    for link in (accept, decline):
        for again in (client.get(link), client.post(link)):
            assert again.status_code == 410
            assert "already been answered" in again.get_data(as_text=True)


def test_a_decline_link_declines(app, client, smtp_server) -> None:
    invitation, _accept, decline = _invite(smtp_server)
    assert "Decline this invitation" in client.get(decline).get_data(as_text=True)
    assert "You declined" in client.post(decline).get_data(as_text=True)
    db.session.refresh(invitation)
    assert invitation.status.value == "declined"


def test_tampered_and_expired_invitation_links_are_refused_with_a_clear_page(
    app, client, smtp_server
) -> None:
    invitation, accept, _decline = _invite(smtp_server)
    tampered = accept[:-3] + ("aaa" if not accept.endswith("aaa") else "bbb")
    response = client.get(tampered)
    assert response.status_code == 404 and "was changed" in response.get_data(as_text=True)
    assert client.post(tampered).status_code == 404

    app.config["INVITATION_LINK_MAX_AGE_DAYS"] = -1  # every signature is now too old
    response = client.get(accept)
    assert response.status_code == 410 and "has expired" in response.get_data(as_text=True)
    app.config["INVITATION_LINK_MAX_AGE_DAYS"] = 7

    invitation.expires_at = utcnow() - timedelta(minutes=1)  # the seat's start has passed
    db.session.commit()
    response = client.post(accept)
    assert response.status_code == 410 and "has expired" in response.get_data(as_text=True)
    db.session.refresh(invitation)
    assert invitation.status.value == "pending"


def test_a_withdrawn_invitation_link_says_so_and_takes_no_seat(app, client, smtp_server) -> None:
    invitation, accept, _decline = _invite(smtp_server)
    coordinator = invitation.invited_by
    invitations.withdraw(
        db.session, actor=coordinator, shift_id=invitation.shift_id, user_id=invitation.user_id, now=utcnow()
    )
    db.session.commit()
    for response in (client.get(accept), client.post(accept)):
        assert response.status_code == 410
        assert "withdrew this invitation" in response.get_data(as_text=True)
    assert invitation.shift.signups == []
