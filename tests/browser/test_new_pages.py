"""Pages added with rapid response, casework and channels that no journey reaches, at 390 px.

Each visit goes through ``Browse.check`` (no sideways scroll, axe-core clean, no console error);
on top, every control in the page's main part is at least 44 px tall, a thumb's width.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyotp
import pytest

from tests.browser.conftest import LANGS, Browse, LiveServer, _browse_fixture

# Visible controls in <main> (radios and ticks are tapped through their labels).
_SHORT_CONTROLS_JS = """() => [...document.querySelectorAll(
    'main button, main .button, main select, main summary, '
    + 'main input:not([type=hidden]):not([type=radio]):not([type=checkbox])'
  )].filter(el => el.getClientRects().length && el.getBoundingClientRect().height < 43.5)
   .map(el => el.tagName.toLowerCase() + ' "' + (el.innerText || el.name || '').trim().slice(0, 30) + '" '
        + Math.round(el.getBoundingClientRect().height))"""


@pytest.fixture(params=LANGS)
def phone(request, browser, live_server: LiveServer) -> Iterator[Browse]:
    yield from _browse_fixture(request, browser, live_server, "phone", request.param)


def _admin(server: LiveServer, lang: str) -> tuple[str, str]:
    from scheduler.enums import Role
    from scheduler.extensions import db, secret_box
    from scheduler.models import Court
    from scheduler.models.twofactor import TwoFactorSecret
    from scheduler.types import utcnow
    from tests.factories import make_user
    from tests.response.helpers import on_call

    with server.app.app_context():
        admin = make_user(role=Role.ADMIN, email=f"look-admin-{lang}@example.test", locale=lang)
        on_call(db.session.get(Court, server.facts["long_court_id"]), weekday=LANGS.index(lang))
        secret = pyotp.random_base32()
        db.session.add(
            TwoFactorSecret(
                user_id=admin.id, secret_ciphertext=secret_box().encrypt(secret), confirmed_at=utcnow()
            )
        )
        db.session.commit()
        return admin.email, secret


def _taps_fit(browse: Browse) -> None:
    short = browse.page.evaluate(_SHORT_CONTROLS_JS)
    assert not short, f"[{browse.lang}] {browse.page.url}: controls under 44 px: {short}"


def test_casework_forms_court_card_editor_and_on_call_roster_fit_a_phone(phone: Browse) -> None:
    facts = phone.server.facts
    email, secret = _admin(phone.server, phone.lang)
    phone.sign_in(email)
    phone.fill("input[name=code]", pyotp.TOTP(secret).now())
    phone.click("form:has(input[name=code]) button[type=submit]")
    for path in (
        f"/courts/{facts['long_court_id']}/card",
        f"/casework/hearings/{facts['long_hearing_id']}/repeat",
        f"/casework/hearings/{facts['long_hearing_id']}/awaiting",
        "/casework/awaiting",
        f"/response/courts/{facts['long_court_id']}/oncall",
    ):
        phone.go(path, shot="look" + path.replace("/", "-"))
        _taps_fit(phone)
    assert phone.page.locator("html").get_attribute("lang") == phone.lang
