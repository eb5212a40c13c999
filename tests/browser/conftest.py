"""Browser tests: one live server per session, Debian's Chromium driven by Playwright.

The app runs in a real werkzeug server thread on a SQLite file, seeded with the demo network
plus a few hostile-length names. Every test gets a page at one of two sizes (390x844 phone,
1280x800 laptop) in one of two languages, wrapped in :class:`Browse`, which checks each page it
visits: no sideways scrolling, no serious or critical axe-core violation, no console error and
no failed sub-request. Phone-width screenshots go to ``tests/browser/screenshots/`` (git-ignored).

Without a Chromium (``/usr/bin/chromium`` or ``$CHROMIUM``) or Playwright the tests are skipped
with one reason; ``REQUIRE_BROWSER_TESTS=1`` (CI) turns that skip into a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from scheduler import create_app
from scheduler.enums import Role, ShiftRole
from scheduler.extensions import db
from scheduler.models import User
from tests.conftest import base_config

HERE = Path(__file__).parent
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = HERE / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
JOURNEYS = ("approve", "post", "casework")
SIZES = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1280, "height": 800}}
LANGS = ("en", "es")
# The header on a phone: one line (brand, menu button, language switch), not three.
MAX_PHONE_HEADER = 72
PASSWORD = "correct horse battery staple"
LONG_COURT = ("Executive Office for Immigration Review " * 6)[:200].strip()
LONG_PERSON = "Maximiliana Evangelina Bartolomé-Rodríguez de la Concepción"[:60]
SKIP_HINT = (
    "browser tests skipped: {why}. Enable them with `apt-get install chromium` "
    "(or CHROMIUM=/path/to/chromium) and `pip install -r requirements-dev.txt`, then `make test`"
)


def find_chromium() -> str | None:
    """$CHROMIUM when set (even if it is not there), else Debian's chromium."""
    chosen = os.environ.get("CHROMIUM")
    for candidate in [chosen] if chosen else ["/usr/bin/chromium", shutil.which("chromium")]:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def _missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if find_chromium() is None:
        return "no Chromium found"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed"
    if not AXE_JS.exists():
        return "axe-core is not installed (cd tests/browser && npm ci)"
    return None


_WHY_NOT = _missing()
if _WHY_NOT and os.environ.get("REQUIRE_BROWSER_TESTS") != "1":
    # Not collected at all, and said once in the summary (one line, not one per test).
    collect_ignore_glob = ["test_*.py"]


def pytest_terminal_summary(terminalreporter) -> None:
    if _WHY_NOT and os.environ.get("REQUIRE_BROWSER_TESTS") != "1":
        terminalreporter.write_line(SKIP_HINT.format(why=_WHY_NOT), yellow=True)


def _skip_or_fail(why: str) -> None:
    message = SKIP_HINT.format(why=why)
    if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
        pytest.fail(message + " (REQUIRE_BROWSER_TESTS=1)", pytrace=False)
    pytest.skip(message)


# -- the live server ----------------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    app: Any
    facts: dict[str, Any] = field(default_factory=dict)

    def totp(self, email: str) -> str:
        return pyotp.TOTP(self.facts["secrets"][email]).now()


def _seed(app) -> dict[str, Any]:
    """The demo network, plus one coordinator per test run and hostile-length names."""
    from scheduler.cli import BUNDLED_COURTS
    from scheduler.courts import catalogue as court_service
    from scheduler.demo import seed as demo
    from scheduler.extensions import secret_box
    from scheduler.models.twofactor import TwoFactorSecret
    from scheduler.types import utcnow
    from tests.factories import make_court, make_hearing, make_signup, make_user

    with app.app_context():
        db.create_all()
        court_service.import_courts(db.session, text=BUNDLED_COURTS.read_text("utf-8"), actor=None)
        box = secret_box()
        demo.seed(db.session, box=box)
        long_court = make_court(name=LONG_COURT)
        long_person = make_user(display_name=LONG_PERSON, languages=("es",), roles=(ShiftRole.ACCOMPANIER,))
        long_hearing = make_hearing(court=long_court, languages=("es",), date_confirmed=False)
        secrets: dict[str, str] = {}
        coordinators: dict[str, str] = {}
        # One coordinator per journey, size and language: a sign-in code works once, so two
        # journeys signing in the same person within one 30-second step would be refused.
        for journey in JOURNEYS:
            for size in SIZES:
                for lang in LANGS:
                    email = f"coord-{journey}-{size}-{lang}@example.test"
                    user = make_user(role=Role.COORDINATOR, email=email, locale=lang)
                    secrets[email] = pyotp.random_base32()
                    db.session.add(
                        TwoFactorSecret(
                            user_id=user.id,
                            secret_ciphertext=box.encrypt(secrets[email]),
                            confirmed_at=utcnow(),
                        )
                    )
                    coordinators[f"{journey}-{size}-{lang}"] = email
        # A past hearing of the demo volunteer per size and language, for the report form.
        demo_volunteer = db.session.scalar(select(User).where(User.email == "volunteer@example.org"))
        to_report: dict[str, int] = {}
        for size in SIZES:
            for lang in LANGS:
                past = make_hearing(
                    court=long_court, starts_at=utcnow() - timedelta(hours=5), languages=("es",)
                )
                make_signup(shift=past.shifts[0], user=demo_volunteer)
                to_report[f"{size}-{lang}"] = past.id
        db.session.commit()
        return {
            "to_report": to_report,
            "secrets": secrets,
            "coordinators": coordinators,
            "long_court_id": long_court.id,
            "long_person_id": long_person.id,
            "long_hearing_id": long_hearing.id,
        }


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("browser")
    config = base_config(f"sqlite:///{folder / 'browser.sqlite3'}")
    config.update(
        WTF_CSRF_ENABLED=True,
        RATELIMIT_ENABLED=False,
        REQUIRE_2FA_FOR_STAFF=True,
        HEARING_IMPORT_DIR=str(folder / "imports"),
        SERVER_NAME=None,
        # Every channel configured, so the preferences page shows them all (nothing is sent:
        # no worker runs here, and the SMS API address is a closed local port).
        TWILIO_ACCOUNT_SID="AC123",
        TWILIO_AUTH_TOKEN="browser-test",
        TWILIO_FROM="+15005550006",
        TWILIO_API_BASE="http://127.0.0.1:9",
        SIGNAL_CLI_URL="http://127.0.0.1:9",
        SIGNAL_NUMBER="+15005550007",
        VAPID_PRIVATE_KEY="1MzF2Q3teQmnr6QUrDQckUO8NAvtrOl0J4xO8w1LvR4",
        VAPID_PUBLIC_KEY="BG1jiVDnB2PDihQikLH_yJ5HvxEGTLpD_9Vl1EhNspaWNBB_WXtfuNBKmnI2uf23vK0MCFw49bCcFqa_jiG86hY",
    )
    app = create_app(config)
    facts = _seed(app)
    port = int(os.environ.get("BROWSER_TEST_PORT", "0"))
    server = make_server("127.0.0.1", port, app, threaded=True)
    config_url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = config_url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(url=config_url, app=app, facts=facts)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


# -- the browser --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if _WHY_NOT:
        _skip_or_fail(_WHY_NOT)
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


_AXE_DONE: set[tuple[str, str, str]] = set()
# Moderate in axe's scale, but a screen reader's outline depends on it: a page skips no level.
ALSO_FAIL = {"heading-order"}


class PageProblem(AssertionError):
    """A visited page failed one of the checks every page must pass."""


class Browse:
    """A page plus the checks every visited page must pass; see the module docstring."""

    def __init__(self, page, *, server: LiveServer, size: str, lang: str, name: str) -> None:
        self.page = page
        self.server = server
        self.size = size
        self.lang = lang
        self.name = name
        self.width = SIZES[size]["width"]
        self.errors: list[str] = []
        self.checked: list[str] = []
        self.problems: list[str] = []
        self.taps = 0
        self.typed = 0
        self.shots: list[Path] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    # listeners
    def _on_console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console error: {message.text}")

    def _on_request_failed(self, request) -> None:
        if request.is_navigation_request() or request.failure == "net::ERR_ABORTED":
            return  # a download, or a request the next navigation cut short; the page is checked
        self.errors.append(f"failed request: {request.url} ({request.failure})")

    def _on_response(self, response) -> None:
        if response.status >= 400 and not response.request.is_navigation_request():
            self.errors.append(f"sub-request {response.status}: {response.url}")

    # navigation
    def url(self, path: str) -> str:
        return self.server.url + path

    def go(self, path: str, *, shot: str | None = None) -> None:
        response = self.page.goto(self.url(path))
        assert response is not None and response.status < 400, f"{path}: {response and response.status}"
        self.check(shot=shot)

    def click(self, selector, *, shot: str | None = None) -> None:
        """Click a link or button that loads a new page, then check that page."""
        locator = self.page.locator(selector) if isinstance(selector, str) else selector
        self.taps += 1
        with self.page.expect_navigation():
            locator.click()
        self.check(shot=shot)

    # the checks
    def check(self, *, shot: str | None = None) -> None:
        page = self.page
        page.wait_for_load_state("load")
        where = f"[{self.size} {self.lang}] {page.url.removeprefix(self.server.url)}"
        problems: list[str] = []
        overflow = page.evaluate(
            "() => ({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth})"
        )
        header = page.locator(".site-header").bounding_box()
        if self.size == "phone" and header and header["height"] > MAX_PHONE_HEADER:
            problems.append(f"the menu takes {header['height']:.0f} px, more than one line")
        if overflow["scroll"] > overflow["inner"]:
            culprits = page.evaluate(_WIDEST_JS, overflow["inner"])
            problems.append(f"scrolls sideways: {overflow['scroll']} > {overflow['inner']}; {culprits}")
        # axe takes about a second a page: once per page kind, size and language is enough.
        kind = (self.size, self.lang, re.sub(r"\d+", "N", page.url.removeprefix(self.server.url)))
        if kind not in _AXE_DONE:
            problems.extend(self._axe())
            _AXE_DONE.add(kind)
        problems.extend(self.errors)
        self.errors.clear()
        if shot and self.size == "phone":
            SCREENSHOTS.mkdir(exist_ok=True)
            path = SCREENSHOTS / f"{shot}-{self.lang}.png"
            page.screenshot(path=str(path), full_page=True)
            self.shots.append(path)
        self.checked.append(where)
        if problems:
            report = where + "\n  " + "\n  ".join(problems)
            if os.environ.get("BROWSER_TESTS_GO_ON") == "1":
                self.problems.append(report)  # debugging: see every page's problems in one run
            else:
                raise PageProblem(report)

    def _axe(self) -> list[str]:
        page = self.page
        # Evaluated through the DevTools protocol, which the page's CSP does not govern.
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(AXE_JS.read_text("utf-8"))
        result = page.evaluate(
            """async () => {
                const r = await window.axe.run(document, {resultTypes: ['violations']});
                return {engine: r.testEngine.name, ran: r.passes.length + r.violations.length
                        + r.incomplete.length + r.inapplicable.length,
                        violations: r.violations.map(v => ({id: v.id, impact: v.impact,
                          help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))};
            }"""
        )
        if result["engine"] != "axe-core" or result["ran"] == 0:
            raise PageProblem(f"axe-core did not run: {result}")
        return [
            f"axe {v['impact']} {v['id']}: {v['help']} at {v['nodes']}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical") or v["id"] in ALSO_FAIL
        ]

    # journeys
    def sign_in(self, email: str, password: str = PASSWORD, *, totp_for: str | None = None) -> None:
        self.go("/auth/login")
        self.fill("input[name=email]", email)
        self.fill("input[name=password]", password)
        self.click("form:has(input[name=password]) button[type=submit]")
        if totp_for is not None:
            self.fill("input[name=code]", self.server.totp(totp_for))
            self.click("form:has(input[name=code]) button[type=submit]")

    def fill(self, selector: str, value: str) -> None:
        """Type into a field (counted: claiming a seat must need none)."""
        self.typed += 1
        self.page.fill(selector, value)

    def open_menu(self) -> None:
        """On a phone the links sit behind the "Menu" button; open it (not a page load)."""
        summary = self.page.locator(".nav-menu summary")
        if summary.is_visible() and self.page.locator(".nav-menu[open]").count() == 0:
            summary.click()
            self.taps += 1

    def sign_out(self) -> None:
        self.open_menu()
        self.click(self.page.locator("form[action$='/auth/logout'] button").locator("visible=true"))

    def use_language(self) -> None:
        """Switch the signed-in person's language to this run's language, if it is not already."""
        button = self.page.locator(f".lang-switch button[value={self.lang}]")
        if button.get_attribute("aria-current") != "true":
            self.click(button)


# A short report of the elements wider than the viewport, to say which one to fix.
_WIDEST_JS = """(inner) => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > inner + 1 && out.length < 5) {
      const cls = el.className ? '.' + String(el.className).split(' ').join('.') : '';
      out.push(el.tagName.toLowerCase() + cls + ' right=' + Math.round(r.right));
    }
  }
  return out.join(', ');
}"""


def _browse_fixture(request, browser, live_server: LiveServer, size: str, lang: str) -> Iterator[Browse]:
    context = browser.new_context(
        viewport=SIZES[size],
        locale={"en": "en-US", "es": "es-ES"}[lang],
        extra_http_headers={"Accept-Language": {"en": "en-US,en;q=0.9", "es": "es-ES,es;q=0.9"}[lang]},
        accept_downloads=True,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")
    try:
        browse = Browse(page, server=live_server, size=size, lang=lang, name=name)
        yield browse
        if browse.problems:
            raise PageProblem("\n".join(browse.problems))
    finally:
        context.close()


@pytest.fixture(params=[(s, lang) for s in SIZES for lang in LANGS], ids=lambda p: f"{p[0]}-{p[1]}")
def browse(request, browser, live_server: LiveServer) -> Iterator[Browse]:
    """A fresh browser context at each size and language (four runs per test)."""
    size, lang = request.param
    yield from _browse_fixture(request, browser, live_server, size, lang)
