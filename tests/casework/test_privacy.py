"""Casework keeps a person's reference where hearings keep it: coordinators' pages only, purged."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from scheduler.casework import awaiting
from scheduler.casework import series as series_service
from scheduler.domain.recurrence import Frequency
from scheduler.enums import HearingKind, HeldStatus, ShiftRole
from scheduler.extensions import db
from scheduler.models import AwaitingDate, HearingReport, Invitation, OutboxMessage
from scheduler.privacy import retention
from scheduler.types import utcnow
from tests.casework.helpers import SETTINGS, chicago, coordinator_of
from tests.factories import dispatch_intents, make_hearing, make_signup
from tests.matching_helpers import free_person, local_start

RESP = "MARKER-RESP-7731"


def test_no_casework_route_takes_a_reference_or_a_name(app) -> None:
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("casework."):
            assert set(rule.arguments) <= {"hearing_id", "series_id", "awaiting_id"}, rule.rule


def test_invitations_for_new_occurrences_name_no_one(app) -> None:
    court = chicago()
    coordinator = coordinator_of(court)
    first = make_hearing(
        court=court,
        starts_at=local_start(days=1, hour=10),
        kind=HearingKind.ICE_CHECKIN,
        respondent_ref=RESP,
        private_notes="MARKER-PRIVATE-4412",
    )
    volunteer = free_person(languages=("es",), roles=(ShiftRole.ACCOMPANIER,))
    make_signup(shift=first.shifts[0], user=volunteer)
    series_service.start_series(
        db.session,
        actor=coordinator,
        hearing=first,
        spec=series_service.SeriesSpec(frequency=Frequency.WEEKLY, count=3, weeks_ahead=3),
        now=utcnow(),
        settings=SETTINGS,
    )
    db.session.commit()
    assert db.session.scalars(select(Invitation)).all()
    assert dispatch_intents() >= 1
    mails = db.session.scalars(select(OutboxMessage)).all()
    assert mails
    for mail in mails:
        text = mail.subject + mail.text_body + (mail.html_body or "") + str(mail.ics or b"")
        assert RESP not in text and "MARKER-PRIVATE-4412" not in text


def test_retention_wipes_old_references_and_staff_notes_and_keeps_the_counts(app) -> None:
    court = chicago()
    coordinator = coordinator_of(court)
    now = utcnow()
    old = make_hearing(court=court, starts_at=now - timedelta(days=100))
    recent = make_hearing(court=court, starts_at=now - timedelta(days=10))
    for hearing in (old, recent):
        db.session.add(
            HearingReport(
                hearing_id=hearing.id,
                court_id=court.id,
                held_month="2031-01",
                held=HeldStatus.HAPPENED,
                staff_note="N",
            )
        )
    entry, waiting = (  # one resolved long ago, one still waiting
        awaiting.add_awaiting(
            db.session,
            actor=coordinator,
            court=court,
            kind=HearingKind.MASTER,
            next_check_on=now.date(),
            today=now.date(),
            respondent_ref=RESP,
        )
        for _ in range(2)
    )
    entry.created_at = now - timedelta(days=120)
    entry.resolved_at = now - timedelta(days=100)
    db.session.commit()
    result = retention.purge(db.session, now=now, hearing_days=90)
    db.session.commit()
    db.session.expire_all()
    assert result.casework_wiped == 2
    assert db.session.get(AwaitingDate, entry.id).respondent_ref == ""
    assert db.session.get(AwaitingDate, waiting.id).respondent_ref == RESP  # still being followed
    notes = {r.hearing_id: r.staff_note for r in db.session.scalars(select(HearingReport))}
    assert notes == {old.id: "", recent.id: "N"}
