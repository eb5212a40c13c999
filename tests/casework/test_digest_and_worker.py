"""The coordinators' digest reminds them of cases to check; the worker opens series dates."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from scheduler.casework import awaiting
from scheduler.casework import series as series_service
from scheduler.domain.recurrence import Frequency
from scheduler.domain.timezones import to_local
from scheduler.enums import HearingKind, Role
from scheduler.extensions import db
from scheduler.models import SeriesOccurrence
from scheduler.notifications.scheduled import send_digest
from scheduler.notifications.worker import PERIODIC_JOBS
from scheduler.types import utcnow
from tests.casework.helpers import SETTINGS, chicago, coordinator_of
from tests.factories import make_hearing, make_user


def test_the_digest_says_which_courts_have_cases_to_check_today_and_names_no_one(app, outbox) -> None:
    app.config["DIGEST_HOUR"] = 0
    here, elsewhere = chicago(), chicago()
    scoped = make_user(role=Role.COORDINATOR, courts=(here,), email="scoped@example.org")
    other = make_user(role=Role.COORDINATOR, courts=(elsewhere,), email="other@example.org")
    today = to_local(utcnow(), app.config["BABEL_DEFAULT_TIMEZONE"]).date()
    for _ in range(2):
        awaiting.add_awaiting(
            db.session,
            actor=scoped,
            court=here,
            kind=HearingKind.MASTER,
            next_check_on=today,
            today=today,
            respondent_ref="MARKER-RESP-7731",
        )
    awaiting.add_awaiting(
        db.session,
        actor=other,
        court=elsewhere,
        kind=HearingKind.MASTER,
        next_check_on=today + timedelta(days=2),
        today=today,
    )
    db.session.commit()
    assert send_digest(db.session) == 1  # nothing due at the other court, no seats open anywhere
    db.session.commit()
    [mail] = list(outbox)
    assert mail.to == "scoped@example.org"
    assert here.name in mail.text and "2 cases" in mail.text and "/casework/awaiting" in mail.text
    assert "MARKER-RESP-7731" not in mail.text + (mail.html or "") + mail.subject


def test_the_worker_opens_the_next_dates_of_every_series(app) -> None:
    court = chicago()
    coordinator = coordinator_of(court)
    first = make_hearing(
        court=court,
        starts_at=(utcnow() + timedelta(days=1)).replace(microsecond=0),
        kind=HearingKind.ICE_CHECKIN,
    )
    made = series_service.start_series(
        db.session,
        actor=coordinator,
        hearing=first,
        spec=series_service.SeriesSpec(frequency=Frequency.WEEKLY, count=4, weeks_ahead=1),
        now=utcnow(),
        settings=SETTINGS,
    )
    opened = len(made.occurrences)
    made.weeks_ahead = 4
    db.session.commit()
    job = next(j for j in PERIODIC_JOBS if j.name == "series windows")
    assert job.run(db.session) == 4 - opened
    db.session.commit()
    assert len(db.session.scalars(select(SeriesOccurrence)).all()) == 4
