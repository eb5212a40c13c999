"""Every detail a volunteer with a seat sees on a hearing is mailed to them when it changes.

One test per field, through the same service calls the edit and reschedule pages make, and a
guard that ties the mail's list of fields to the domain's list of what volunteers see.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler.domain.hearings import VOLUNTEER_VISIBLE_FIELDS
from scheduler.enums import HearingKind, Role, ShiftRole
from scheduler.extensions import db
from scheduler.hearings import schedule as hearings
from scheduler.notifications import messages
from scheduler.notifications.compose import when_text
from scheduler.notifications.worker import send_once
from tests.factories import make_court, make_hearing, make_signup, make_user
from tests.notifications.smtp.conftest import parts

MARKER = "RESP-MARKER-5521"


def _setup():
    court = make_court(timezone="America/Chicago")
    other = make_court(name="Other Immigration Court", timezone="America/Chicago")
    hearing = make_hearing(
        court=court,
        seats={ShiftRole.INTERPRETER: 1},
        languages=("es",),
        courtroom="3",
        judge="Judge Alvarez",
        meeting_point="Lobby",
        public_notes="Bring water",
        respondent_ref=MARKER,
        private_notes=MARKER,
    )
    make_signup(shift=hearing.shifts[0], user=make_user(email="seated@example.org"))
    coordinator = make_user(role=Role.COORDINATOR, email="coord@example.org")
    db.session.commit()
    return hearing, coordinator, other


def _edit(hearing, coordinator, **changes) -> None:
    fields = {
        "kind": hearing.kind,
        "duration_minutes": hearing.duration_minutes,
        "judge": hearing.judge,
        "languages": tuple(hearing.language_codes),
        "respondent_ref": hearing.respondent_ref,
        "meeting_point": hearing.meeting_point,
        "public_notes": hearing.public_notes,
        "private_notes": hearing.private_notes,
        "date_confirmed": hearing.date_confirmed,
        "courtroom": hearing.courtroom,
    } | changes
    hearings.update_details(
        db.session, actor=coordinator, hearing=hearing, details=hearings.HearingDetails(**fields)
    )
    db.session.commit()


def _one_mail(smtp_server) -> str:
    send_once()
    assert [m["To"] for m in smtp_server.messages] == ["seated@example.org"]
    message = smtp_server.messages[0]
    assert MARKER not in message.as_string()
    return parts(message)["text"]


EDITS = {
    "meeting_point": ({"meeting_point": "4th floor"}, "Meeting point: 4th floor", "Lobby"),
    "public_notes": ({"public_notes": "Bring ID"}, "Notes for volunteers: Bring ID", "Bring water"),
    "courtroom": ({"courtroom": "12B"}, "Courtroom: 12B", "3"),
    "kind": ({"kind": HearingKind.INDIVIDUAL}, "Kind of hearing: Individual (merits)", "Master calendar"),
    "duration_minutes": ({"duration_minutes": 240}, "Expected length: 240 minutes", "60 minutes"),
    "judge": ({"judge": "Judge Okafor"}, "Judge: Judge Okafor", "Judge Alvarez"),
    "languages": ({"languages": ("es", "mam")}, "Languages: Spanish, Mam", "Spanish"),
    "date_confirmed": ({"date_confirmed": True}, "Date confirmed: yes", "no"),
}


@pytest.mark.parametrize("field", sorted(EDITS))
def test_editing_a_detail_volunteers_see_mails_them_old_and_new(app, smtp_server, field) -> None:
    hearing, coordinator, _other = _setup()
    changes, line, old = EDITS[field]
    _edit(hearing, coordinator, **changes)
    text = _one_mail(smtp_server)
    assert line in text, text
    assert f"before: {old}" in text, text


def test_editing_only_private_fields_mails_nobody(app, smtp_server) -> None:
    hearing, coordinator, _other = _setup()
    _edit(hearing, coordinator, respondent_ref="R.", private_notes="call the lawyer first")
    send_once()
    assert smtp_server.messages == []


def test_a_new_time_mails_the_old_and_new_time(app, smtp_server) -> None:
    hearing, coordinator, _other = _setup()
    shift = hearing.shifts[0]
    old_seat = shift.starts_at
    new_start = hearing.starts_at + timedelta(days=1, hours=2)
    hearings.reschedule_hearing(
        db.session,
        actor=coordinator,
        hearing=hearing,
        court=hearing.court,
        starts_at=new_start,
        courtroom="3",
    )
    db.session.commit()
    text = _one_mail(smtp_server)
    with app.test_request_context():
        old_words, new_words = when_text(old_seat, hearing.court), when_text(shift.starts_at, hearing.court)
    assert old_words in text.split("Before:", 1)[1].split("\n", 1)[0], text
    assert new_words in text.split("Now:", 1)[1].split("\n", 1)[0], text


def test_moving_to_another_courtroom_mails_the_old_and_new_courtroom(app, smtp_server) -> None:
    hearing, coordinator, _other = _setup()
    hearings.reschedule_hearing(
        db.session,
        actor=coordinator,
        hearing=hearing,
        court=hearing.court,
        starts_at=hearing.starts_at,
        courtroom="12B",
    )
    db.session.commit()
    text = _one_mail(smtp_server)
    before = text.split("Before:", 1)[1].split("\n", 1)[0]
    now = text.split("Now:", 1)[1].split("\n", 1)[0]
    assert "Courtroom 3" in before and "Courtroom 12B" in now, text


def test_moving_to_another_court_mails_the_old_and_new_court(app, smtp_server) -> None:
    hearing, coordinator, other = _setup()
    old_name = hearing.court.name
    hearings.reschedule_hearing(
        db.session,
        actor=coordinator,
        hearing=hearing,
        court=other,
        starts_at=hearing.starts_at,
        courtroom="3",
    )
    db.session.commit()
    text = _one_mail(smtp_server)
    assert old_name in text.split("Before:", 1)[1].split("\n", 1)[0]
    assert "Other Immigration Court" in text.split("Now:", 1)[1].split("\n", 1)[0]


def test_every_field_volunteers_see_is_worded_in_the_change_mail() -> None:
    """A field added to what volunteers see cannot be forgotten by the mail again."""
    moved = {"starts_at", "court"}  # told by the "hearing moved" message, before and now
    assert set(messages.DETAIL_LABELS) | moved == VOLUNTEER_VISIBLE_FIELDS
    assert set(EDITS) == set(messages.DETAIL_LABELS)
