"""The court-day card: admins edit it per court; each seat page shows it in the viewer's language."""

from __future__ import annotations

from sqlalchemy import select

from scheduler.enums import Role
from scheduler.extensions import db
from scheduler.models import AuditEvent, CourtCard
from tests.factories import make_court, make_hearing, make_user

CARD = {
    "hotline": "+1 (312) 555-0100",
    "team_lead": "Ana (green scarf)",
    "do_en": "Stay calm.\nFilm from a distance.",
    "dont_en": "Do not sign anything.",
    "meeting_en": "Lobby, east doors",
    "do_es": "Mantenga la calma.",
    "dont_es": "No firme nada.",
    "meeting_es": "Vestíbulo, puertas del este",
}


def _admin(auth):
    admin = make_user(role=Role.ADMIN)
    db.session.commit()
    auth.login_as(admin)
    return admin


def test_an_admin_writes_the_card_in_both_languages(app, client, auth) -> None:
    court = make_court()
    _admin(auth)
    assert "Court-day card" in client.get(f"/courts/{court.id}/card").get_data(as_text=True)
    response = client.post(f"/courts/{court.id}/card", data=CARD)
    assert response.status_code == 302
    cards = {c.locale: c for c in db.session.scalars(select(CourtCard).where(CourtCard.court_id == court.id))}
    assert (
        cards["en"].do_text == "Stay calm.\nFilm from a distance."
        and cards["es"].dont_text == "No firme nada."
    )
    assert cards["en"].hotline == cards["es"].hotline == "+1 (312) 555-0100"
    page = client.get(f"/courts/{court.id}/card").get_data(as_text=True)
    assert "Vestíbulo, puertas del este" in page  # the form shows what is stored
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "court.card_updated")) is not None


def test_a_hotline_with_letters_is_refused(app, client, auth) -> None:
    court = make_court()
    _admin(auth)
    response = client.post(f"/courts/{court.id}/card", data={**CARD, "hotline": "call 555 <script>"})
    assert response.status_code == 200 and "Digits, spaces" in response.get_data(as_text=True)
    assert db.session.scalars(select(CourtCard)).all() == []


def _seat_page(client, auth, *, locale: str, card: dict[str, str] | None, admin_auth=None) -> str:
    court = make_court()
    hearing = make_hearing(court=court)
    if card is not None:
        admin = make_user(role=Role.ADMIN)
        db.session.commit()
        auth.login_as(admin)
        client.post(f"/courts/{court.id}/card", data=card)
        auth.logout()
    volunteer = make_user(locale=locale)
    db.session.commit()
    auth.login_as(volunteer)
    return client.get(f"/shifts/{hearing.shifts[0].id}").get_data(as_text=True)


def test_the_seat_page_shows_the_card_in_the_volunteers_language(app, client, auth) -> None:
    page = _seat_page(client, auth, locale="es", card=CARD)
    assert 'class="card court-card"' in page and 'lang="es"' in page
    assert "Si ICE actúa en esta corte" in page and "No firme nada." in page
    assert "Do not sign anything." not in page
    assert 'href="tel:+1(312)555-0100"' in page


def test_english_speakers_see_the_english_card(app, client, auth) -> None:
    page = _seat_page(client, auth, locale="en", card=CARD)
    assert "If ICE acts at this court" in page and "Do not sign anything." in page
    assert "No firme nada." not in page


def test_a_card_written_in_one_language_is_shown_rather_than_nothing(app, client, auth) -> None:
    english_only = {k: v for k, v in CARD.items() if not k.endswith("_es")}
    page = _seat_page(client, auth, locale="es", card=english_only)
    assert "Do not sign anything." in page and 'lang="en"' in page


def test_no_card_no_section(app, client, auth) -> None:
    page = _seat_page(client, auth, locale="en", card=None)
    assert "court-card" not in page


def test_card_text_is_escaped(app, client, auth) -> None:
    hostile = {**CARD, "do_en": "<script>alert(1)</script>", "team_lead": "<b>x</b>"}
    page = _seat_page(client, auth, locale="en", card=hostile)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_the_card_stays_small(app, client, auth) -> None:
    """Weak signal: the seat page with its card, styles and scripts stay a few tens of kilobytes."""
    page = _seat_page(client, auth, locale="en", card=CARD)
    card = page[page.index('class="card court-card"') :]
    card = card[: card.index("</section>")]
    assert "<img" not in card and len(card.encode()) < 3000
    total = len(page.encode())
    for asset in ("css/app.css", "js/print.js"):
        response = client.get(f"/static/{asset}")
        total += len(response.data)
        response.close()
    assert total < 60_000
