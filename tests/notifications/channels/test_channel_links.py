"""The short copy of an ordinary message on SMS, Signal or push points to the page it is about.

Each kind: the note (``X-Link``) opens the seat page (or for coordinators the hearing page, for
an invitation its own answer page), never the home page, and carries no respondent data.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from scheduler.enums import Role, ShiftRole, SignupStatus
from scheduler.extensions import db
from scheduler.models import Invitation, OutboxMessage
from scheduler.notifications import messages, preferences
from scheduler.notifications.links import external_url
from scheduler.notifications.scheduled import send_reminders
from scheduler.types import utcnow
from tests.factories import make_hearing, make_signup, make_user
from tests.notifications.channels.helpers import give_device, give_phone

EVERYTHING = ("email", "sms", "signal", "push")
RESPONDENT = ("RESP-MARKER-7", "PRIVATE-NOTE-7")


def _reached(user, group: str) -> None:
    give_phone(user)
    give_device(user, "https://push.example.test/links")
    preferences.save_kind_channels(db.session, user=user, chosen={group: ["sms", "push"]}, known=EVERYTHING)


def _seat(hours: float = 72):
    start = (utcnow() + timedelta(hours=hours, minutes=45)).replace(microsecond=0)
    hearing = make_hearing(
        starts_at=start,
        seats={ShiftRole.ACCOMPANIER: 2},
        respondent_ref=RESPONDENT[0],
        private_notes=RESPONDENT[1],
    )
    return hearing, hearing.shifts[0]


def _notes(kind: str) -> list[OutboxMessage]:
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == kind, OutboxMessage.channel != "email")
    )
    return sorted(rows, key=lambda r: r.channel)


def _assert_notes_link(kind: str, link: str) -> None:
    notes = _notes(kind)
    assert [n.channel for n in notes] == ["push", "sms"]
    home = external_url("main.home")
    for note in notes:
        assert note.headers == {"X-Link": link} and link != home
        seen = note.subject + note.text_body + str(note.headers)
        assert not any(marker in seen for marker in RESPONDENT)


def _volunteer_on_seat(group: str):
    hearing, shift = _seat()
    person = make_user(roles=(ShiftRole.ACCOMPANIER,))
    _reached(person, group)
    return hearing, shift, make_signup(shift=shift, user=person)


@pytest.mark.parametrize(
    ("kind", "tell"),
    [
        (
            "hearing_changed",
            lambda s: messages.hearing_changed(
                db.session, signup_ids=[s.id], old_starts_at=s.shift.hearing.starts_at - timedelta(hours=2)
            ),
        ),
        ("hearing_cancelled", lambda s: messages.hearing_cancelled(db.session, signup_ids=[s.id])),
        (
            "hearing_updated",
            lambda s: messages.hearing_details_changed(
                db.session, signup_ids=[s.id], changes={"courtroom": {"old": "1", "new": "2"}}
            ),
        ),
        ("waitlist_promoted", lambda s: messages.waitlist_promoted(db.session, signup=s)),
    ],
)
def test_a_hearing_change_note_opens_the_seat_page(app, kind, tell) -> None:
    _hearing, shift, signup = _volunteer_on_seat("changes")
    tell(signup)
    _assert_notes_link(kind, messages.seat_link(shift.id))


def test_a_reminder_note_opens_the_seat_page(app) -> None:
    _hearing, shift = _seat(hours=20)
    person = make_user()
    _reached(person, "reminder")
    make_signup(shift=shift, user=person)
    assert send_reminders(db.session) == 1
    _assert_notes_link("reminder", messages.seat_link(shift.id))


def test_an_invitation_note_opens_the_invitation_page(app, monkeypatch) -> None:
    # The links carry a signing time: fixed here, so the note's link and the one computed below
    # are the same string even when a second ticks over between them (it did, under load).
    from itsdangerous.timed import TimestampSigner

    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _self: 1_900_000_000)
    _hearing, shift = _seat()
    person = make_user(roles=(ShiftRole.ACCOMPANIER,))
    _reached(person, "invitation")
    invitation = Invitation(shift_id=shift.id, user_id=person.id, expires_at=shift.starts_at, nonce="n" * 32)
    db.session.add(invitation)
    db.session.flush()
    assert messages.invited(db.session, invitation=invitation)
    accept_url, _decline_url = messages.invitation_links(invitation)
    _assert_notes_link("invitation", accept_url)


def test_a_late_drop_note_opens_the_hearing_page_for_the_coordinator(app) -> None:
    hearing, shift = _seat(hours=10)
    coordinator = make_user(role=Role.COORDINATOR)
    _reached(coordinator, "late_drop")
    signup = make_signup(shift=shift, user=make_user(), status=SignupStatus.DROPPED, drop_reason="sick")
    assert messages.late_drop(db.session, signup=signup) >= 1
    _assert_notes_link("late_drop", messages.hearing_link(hearing.id))
