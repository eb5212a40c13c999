"""The interface in Spanish: pages render translated, and every string has a translation."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from scheduler.extensions import db
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
SPANISH_PO = ROOT / "scheduler/translations/es/LC_MESSAGES/messages.po"


def test_sign_in_page_is_in_spanish_for_a_spanish_browser(app, client) -> None:
    page = client.get("/auth/login", headers={"Accept-Language": "es-MX,es;q=0.9"}).get_data(as_text=True)
    assert '<html lang="es">' in page
    assert "Iniciar sesión" in page
    assert "Contraseña" in page
    assert "Sign in" not in page


def test_registration_errors_are_in_spanish(app, client) -> None:
    response = client.post(
        "/auth/register",
        data={"display_name": "Ana", "email": "ana@example.org", "password": "corta", "confirm": "corta"},
        headers={"Accept-Language": "es"},
    )
    page = response.get_data(as_text=True)
    assert "Use al menos 10 caracteres." in page


def test_a_volunteer_who_chose_spanish_gets_spanish_pages(app, client, auth) -> None:
    user = make_user(locale="es", display_name="Rosa")
    db.session.commit()
    auth.login_as(user)
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Hola, Rosa" in page


def test_error_pages_are_translated(app, client) -> None:
    page = client.get("/no/such/page", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Página no encontrada" in page


def test_every_string_has_a_spanish_translation(tmp_path: Path) -> None:
    """Every msgid in a fresh extraction has a non-empty, non-fuzzy Spanish msgstr.

    This fails while any user-facing string is untranslated: helpers write Spanish into PO
    fragments and the integrator merges them into messages.po, after which this must pass.
    It stays in the suite so no English string ever ships untranslated.
    """
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        # --ignore-dirs: by default pybabel skips directories starting with "_" (templates/_macros).
        [
            str(pybabel),
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "lazy_pgettext:1c,2",
            "--ignore-dirs=.* __pycache__",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as fh:
        extracted = read_po(fh)
    with SPANISH_PO.open("rb") as fh:
        spanish = read_po(fh, locale="es")
    missing = []
    for message in extracted:
        if not message.id:
            continue
        translated = spanish.get(message.id, context=message.context)
        strings = translated.string if translated else None
        strings = strings if isinstance(strings, (list, tuple)) else [strings]
        if translated is None or translated.fuzzy or not all(strings):
            ident = message.id[0] if isinstance(message.id, tuple) else message.id
            where = message.locations[0][0] if message.locations else "?"
            missing.append(f"{where}: {ident}")
    assert any(m.id == "Previous" for m in extracted), "templates/_macros was not extracted"
    assert not missing, f"{len(missing)} strings lack a Spanish translation:\n" + "\n".join(missing[:40])


def test_spanish_placeholders_match_the_english_ones() -> None:
    """A translation that drops or renames a %(name)s placeholder breaks its page at run time."""
    with (ROOT / "scheduler/translations/es/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="es")
    problems = [f"{message.id!r}: {error}" for message, errors in catalog.check() for error in errors]
    assert problems == []
