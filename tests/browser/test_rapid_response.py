"""Rapid response on a phone: check in on the day, raise an alert, acknowledge it, follow it.

Each page visited goes through ``Browse.check`` (fits 390 px, axe-core, no console error).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from tests.browser.conftest import LANGS, Browse, LiveServer, _browse_fixture

HERE_BUTTON = {"en": "I'm here", "es": "Ya llegué"}
ALERT_LINK = {"en": "Raise an alert", "es": "Enviar una alerta"}
ON_IT = {"en": "I'm on it", "es": "Yo me encargo"}


@pytest.fixture(params=LANGS)
def phone(request, browser, live_server: LiveServer) -> Iterator[Browse]:
    yield from _browse_fixture(request, browser, live_server, "phone", request.param)


def _seed_today(server: LiveServer, lang: str) -> dict:
    """A hearing in 30 minutes at a court where it is morning: a volunteer, one on call, a coordinator."""
    from scheduler.domain.timezones import to_local
    from scheduler.enums import Role, ShiftRole
    from scheduler.extensions import db, secret_box
    from scheduler.models.twofactor import TwoFactorSecret
    from scheduler.types import utcnow
    from tests.factories import make_hearing, make_signup, make_user
    from tests.response.helpers import court_in_the_morning, on_call

    with server.app.app_context():
        court = court_in_the_morning()
        hearing = make_hearing(
            court=court,
            starts_at=(utcnow() + timedelta(minutes=30)).replace(microsecond=0),
            courtroom="3",
            respondent_ref="Browser R.",
        )
        volunteer = make_user(
            email=f"rr-volunteer-{lang}@example.test", locale=lang, roles=(ShiftRole.ACCOMPANIER,)
        )
        make_signup(shift=hearing.shifts[0], user=volunteer)
        responder = on_call(court, weekday=to_local(utcnow(), court.timezone).weekday())
        coordinator = make_user(
            role=Role.COORDINATOR, email=f"rr-coord-{lang}@example.test", locale=lang, courts=(court,)
        )
        secret = pyotp.random_base32()
        db.session.add(
            TwoFactorSecret(
                user_id=coordinator.id, secret_ciphertext=secret_box().encrypt(secret), confirmed_at=utcnow()
            )
        )
        db.session.commit()
        return {
            "shift_id": hearing.shifts[0].id,
            "court_id": court.id,
            "volunteer": volunteer.email,
            "coordinator": coordinator.email,
            "secret": secret,
            "responder_id": responder.id,
        }


def _ack_path(server: LiveServer, user_id: int) -> str:
    from scheduler.extensions import db
    from scheduler.models import OutboxMessage
    from tests.factories import dispatch_intents

    with server.app.app_context():
        dispatch_intents()
        db.session.commit()
        body = db.session.scalar(
            select(OutboxMessage.text_body).where(
                OutboxMessage.user_id == user_id, OutboxMessage.kind == "urgent_alert"
            )
        )
    return re.search(r"(/response/ack/\S+)", body).group(1)


def test_check_in_and_raise_an_alert_on_a_phone(phone: Browse) -> None:
    page = phone.page
    facts = _seed_today(phone.server, phone.lang)

    phone.sign_in(facts["volunteer"])
    phone.go("/", shot="rr-home")
    phone.click(page.get_by_role("button", name=HERE_BUTTON[phone.lang]).first, shot="rr-checked-in")
    assert page.locator(".flash-success").count() == 1

    phone.go(f"/shifts/{facts['shift_id']}", shot="rr-seat")
    phone.click(page.get_by_role("link", name=ALERT_LINK[phone.lang]), shot="rr-alert")
    page.check("input[name=kind][value=person_detained]")
    taps = phone.taps
    phone.click("main form button[type=submit]", shot="rr-alert-sent")
    assert phone.taps - taps == 1
    assert page.locator(".flash-success").count() == 1
    assert "Browser R." not in page.content()
    phone.sign_out()

    # The person on call acknowledges from the message, signed out: confirm page, then one tap.
    phone.go(_ack_path(phone.server, facts["responder_id"]), shot="rr-ack")
    phone.click(page.get_by_role("button", name=ON_IT[phone.lang]), shot="rr-acked")

    # The coordinator follows the day and the incident.
    phone.sign_in(facts["coordinator"])
    phone.fill("input[name=code]", pyotp.TOTP(facts["secret"]).now())
    phone.click("form:has(input[name=code]) button[type=submit]")
    phone.go("/response/today", shot="rr-today")
    phone.click(page.locator("a[href*='/response/incidents/']").first, shot="rr-incident")
    assert page.locator(".badge-ok").count() >= 1  # acknowledged
    phone.go(f"/response/courts/{facts['court_id']}/oncall", shot="rr-oncall")
    phone.go(f"/response/courts/{facts['court_id']}/summary", shot="rr-summary")
