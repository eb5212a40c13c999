"""The court-day card on a seat page: readable at 390 px, in the viewer's language, one printed page."""

from __future__ import annotations

import itertools
import re

from scheduler.enums import Role
from scheduler.extensions import db

_n = itertools.count()

DO = {
    "en": "Stay calm. Film from a distance. Call the rapid-response number at once. " * 3,
    "es": "Mantenga la calma. Grabe desde lejos. Llame de inmediato al número de respuesta rápida. " * 3,
}
DONT = {
    "en": "Do not touch or block agents. Do not sign anything. Do not give the person's name.",
    "es": "No toque ni bloquee a los agentes. No firme nada. No dé el nombre de la persona.",
}


def _seat_with_card(server) -> tuple[int, str]:
    from scheduler.courts.cards import CardText, save_cards
    from tests.factories import make_court, make_hearing, make_user

    with server.app.app_context():
        n = next(_n)
        court = make_court(name=f"Card Court {n} " + "Long Name " * 8)
        hearing = make_hearing(court=court)
        admin = make_user(role=Role.ADMIN)
        save_cards(
            db.session,
            court=court,
            actor=admin,
            hotline="+1 (312) 555-0100",
            team_lead="Ana (green scarf)",
            texts={
                lang: CardText(
                    do_text=DO[lang], dont_text=DONT[lang], meeting_point="Lobby, by the east doors"
                )
                for lang in ("en", "es")
            },
        )
        volunteer = make_user(email=f"card-{n}@example.test")
        db.session.commit()
        return hearing.shifts[0].id, volunteer.email


def test_the_card_reads_on_a_phone_and_prints_on_one_page(browse):
    shift_id, email = _seat_with_card(browse.server)
    browse.sign_in(email)
    browse.use_language()
    browse.go(f"/shifts/{shift_id}", shot="seat-with-court-card")
    card = browse.page.locator(".court-card")
    assert card.is_visible()
    assert DONT[browse.lang][:30] in card.inner_text()
    assert card.locator("a[href^='tel:']").inner_text() == "+1 (312) 555-0100"
    assert card.locator("img").count() == 0
    assert "Card Court" in card.locator(".court-card-where").inner_text()  # which court, on paper

    browse.page.emulate_media(media="print")
    assert not browse.page.locator(".site-header").is_visible()
    assert card.is_visible()
    pdf = browse.page.pdf(format="Letter")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    browse.page.emulate_media(media="screen")


def test_urgent_alert_channels_on_a_phone(browse):
    """The preferences page with every channel: add a number, see the code form, no overflow, axe-clean."""
    from tests.factories import make_user

    with browse.server.app.app_context():
        email = f"channels-{next(_n)}@example.test"
        make_user(email=email)
        db.session.commit()
    browse.sign_in(email)
    browse.use_language()
    browse.go("/account/notifications", shot="preferences-channels")
    page = browse.page
    assert page.locator("#channels input[name=urgent_sms]").is_checked()
    browse.fill("input[name=number]", "312 555 0142")
    browse.click("form[action$='/phone'] button[type=submit]", shot="preferences-code-sent")
    assert page.locator("input[name=code]").is_visible()
    assert "5550142" not in page.content()
    # The push button appears once the service worker is registered (Chromium has PushManager).
    page.wait_for_selector("[data-push-on]:not([hidden]), [data-push-note]:not(:empty)", timeout=5000)
    assert not (page.locator("[data-push-on]").is_visible() and page.locator("[data-push-off]").is_visible())
