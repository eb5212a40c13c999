"""Links that open and UIDs that survive a move (issue 15, items 5 and 6).

- UIDs carry the installation's own stored domain, not BASE_URL's host;
- without BASE_URL, development links follow the address actually served; production refuses;
- the calendar page always shows the current link (derived, never stored in clear), and
  getting a new one answers with a redirect so a reload does not rotate it again.
"""

from __future__ import annotations

import re
from datetime import timedelta

import icalendar
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from scheduler import create_app, installation
from scheduler.enums import FeedKind, ShiftRole
from scheduler.extensions import db
from scheduler.feeds import tokens as feeds
from scheduler.feeds import web as feed_web
from scheduler.models import FeedToken, SiteSetting
from scheduler.types import utcnow
from tests.conftest import base_config
from tests.factories import DEFAULT_PASSWORD, make_hearing, make_signup, make_user


def _uids(body: bytes) -> set[str]:
    return {str(e["UID"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def _feed_url_on(page: str) -> str:
    match = re.search(r'value="(https?://[^"]+/feeds/[A-Za-z0-9_-]+\.ics)"', page)
    assert match, "no feed URL on the page"
    return match.group(1)


# 5. UIDs that survive a move ------------------------------------------------------------------


class TestStoredUidDomain:
    @pytest.fixture
    def app_config(self, database_url):
        config = base_config(database_url)
        config["UID_DOMAIN"] = ""  # the installation's stored domain, as in a real deployment
        return config

    def test_changing_base_url_keeps_every_uid(self, app, client):
        domain = installation.uid_domain(db.session)
        volunteer = make_user()
        hearing = make_hearing(starts_at=utcnow() + timedelta(days=3), seats={ShiftRole.ACCOMPANIER: 1})
        signup = make_signup(shift=hearing.shifts[0], user=volunteer)
        token = feeds.issue_token(db.session, user=volunteer, kind=FeedKind.PERSONAL, actor=None)
        db.session.commit()
        assert domain.endswith(".accompany.invalid")
        before = client.get(f"/feeds/{token}.ics")
        app.config["BASE_URL"] = "https://new-address.example.org"
        after = client.get(f"/feeds/{token}.ics")
        assert before.status_code == after.status_code == 200
        assert _uids(before.data) == _uids(after.data) == {f"signup-{signup.id}@{domain}"}
        # The links inside do follow the new address; only the identities stay.
        assert b"new-address.example.org" in after.data and b"accompany.test" not in after.data
        # The one-event download has the same UID as the feed.
        assert "accompany.test" not in str(
            feed_web.event_ics_for_signup(db.session, signup_id=signup.id, base_url="https://x.example")
        )

    @pytest.mark.committed  # the domain is remembered per engine, not for a session on a test's connection
    def test_the_domain_is_made_once_and_kept(self, app):
        first = installation.uid_domain(db.session)
        assert installation.uid_domain(db.session) == first
        db.session.delete(db.session.get(SiteSetting, "uid_domain"))
        db.session.commit()
        # A running process keeps the domain it has read: its events keep their UIDs.
        assert installation.uid_domain(db.session) == first
        installation._known.clear()  # as in a newly started process
        made = installation.uid_domain(db.session)  # made again on first use
        db.session.commit()
        assert made != first and installation.uid_domain(db.session) == made


# 6. Links follow the address actually served --------------------------------------------------


class TestDevelopmentLinksFollowTheServedAddress:
    @pytest.fixture
    def app_config(self, database_url, monkeypatch):
        monkeypatch.setenv("PORT", "8000")
        config = base_config(database_url)
        del config["BASE_URL"]
        return config

    def test_feed_links_on_the_page_use_the_request_host(self, client):
        volunteer = make_user()
        db.session.commit()
        served = "http://127.0.0.1:8000"  # as `PORT=8000 make run` is reached
        login = {"email": volunteer.email, "password": DEFAULT_PASSWORD}
        assert client.post("/auth/login", data=login, base_url=served).status_code == 302
        client.post("/account/calendar/personal/link", base_url=served)
        page = client.get("/account/calendar", base_url=served).get_data(as_text=True)
        url = _feed_url_on(page)
        assert url.startswith("http://127.0.0.1:8000/feeds/")
        assert "127.0.0.1:5000" not in page

    def test_feed_event_urls_use_the_request_host(self, client):
        volunteer = make_user()
        hearing = make_hearing(starts_at=utcnow() + timedelta(days=3), seats={ShiftRole.ACCOMPANIER: 1})
        make_signup(shift=hearing.shifts[0], user=volunteer)
        token = feeds.issue_token(db.session, user=volunteer, kind=FeedKind.PERSONAL, actor=None)
        db.session.commit()
        body = client.get(f"/feeds/{token}.ics", base_url="http://127.0.0.1:8000").data
        (event,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
        assert str(event["URL"]).startswith("http://127.0.0.1:8000/")

    def test_worker_and_cli_use_the_port_fallback(self, app, runner):
        from scheduler.notifications.links import external_url

        make_user(email="help@example.test")
        db.session.commit()
        assert external_url("main.home").startswith("http://127.0.0.1:8000/")
        result = runner.invoke(args=["feeds", "rotate", "help@example.test"])
        assert result.exit_code == 0, result.output
        assert result.output.strip().startswith("http://127.0.0.1:8000/feeds/")


def test_production_refuses_to_start_without_base_url(tmp_path):
    config = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "ENV": "production",
        "SECRET_KEY": "k" * 64,
        "SECRETS_KEY": Fernet.generate_key().decode(),
    }
    with pytest.raises(RuntimeError, match="BASE_URL"):
        create_app(config)
    assert create_app({**config, "BASE_URL": "https://a.example"}).config["BASE_URL"] == "https://a.example"


# 6. The calendar page always shows the current link -------------------------------------------


def test_the_page_shows_the_current_link_and_a_reload_does_not_rotate(client, auth):
    volunteer = make_user()
    db.session.commit()
    auth.login_as(volunteer)
    response = client.post("/account/calendar/personal/link")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/account/calendar#feed-personal")
    url = _feed_url_on(client.get("/account/calendar").get_data(as_text=True))
    # A second phone subscribes from the page again: same link, and the first keeps working.
    assert _feed_url_on(client.get("/account/calendar").get_data(as_text=True)) == url
    assert client.get(url.removeprefix("https://accompany.test")).status_code == 200
    rows = db.session.scalars(select(FeedToken).where(FeedToken.user_id == volunteer.id)).all()
    assert len(rows) == 1 and rows[0].revoked_at is None
    # Never in clear: only the hash is stored.
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert rows[0].token_hash == feeds.hash_token(token) and token not in repr(rows[0].__dict__)
    # A new link replaces it; the page then shows the new one.
    client.post("/account/calendar/personal/link")
    new_url = _feed_url_on(client.get("/account/calendar").get_data(as_text=True))
    assert new_url != url
    assert client.get(url.removeprefix("https://accompany.test")).status_code == 404


def test_tokens_are_derived_per_person_kind_and_generation(app):
    key = feeds.token_key("secret")
    one = feeds.derive_token(key, user_id=1, kind=FeedKind.PERSONAL, generation=1)
    assert len(one) >= 43  # 256 bits
    others = {
        feeds.derive_token(key, user_id=2, kind=FeedKind.PERSONAL, generation=1),
        feeds.derive_token(key, user_id=1, kind=FeedKind.OPEN_SEATS, generation=1),
        feeds.derive_token(key, user_id=1, kind=FeedKind.PERSONAL, generation=2),
        feeds.derive_token(feeds.token_key("other secret"), user_id=1, kind=FeedKind.PERSONAL, generation=1),
    }
    assert one not in others and len(others) == 4


def test_an_older_random_link_keeps_working_but_is_not_shown(client, auth):
    volunteer = make_user()
    old = feeds.issue_token(db.session, user=volunteer, kind=FeedKind.PERSONAL, actor=None)
    db.session.commit()
    assert client.get(f"/feeds/{old}.ics").status_code == 200
    auth.login_as(volunteer)
    page = client.get("/account/calendar").get_data(as_text=True)
    assert old not in page
    assert "This link was made before links could be shown again" in page


def test_a_changed_key_never_shows_a_wrong_link(app, client, auth):
    volunteer = make_user()
    db.session.commit()
    auth.login_as(volunteer)
    client.post("/account/calendar/personal/link")
    url = _feed_url_on(client.get("/account/calendar").get_data(as_text=True))
    app.config["FEED_TOKEN_KEY"] = "a new key"
    page = client.get("/account/calendar").get_data(as_text=True)
    assert url not in page and 'class="feed-url"' not in page
    assert "This link was made before links could be shown again" in page
    assert client.get(url.removeprefix("https://accompany.test")).status_code == 200


# 6. Every event URL opens, followed as its owner ----------------------------------------------


def _event_urls(body: bytes) -> dict[str, str]:
    return {str(e["UID"]): str(e["URL"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def _path(url: str) -> str:
    assert url.startswith("https://accompany.test/")
    return url.removeprefix("https://accompany.test")


def test_every_event_url_in_a_volunteers_feeds_opens_for_them(client, auth):
    from scheduler.enums import HearingStatus, SignupStatus

    volunteer = make_user(roles=(ShiftRole.ACCOMPANIER,), languages=("es",))
    volunteer.feed_show_waitlist = True
    soon = utcnow() + timedelta(days=3)
    seats = {
        status: make_hearing(starts_at=soon + timedelta(hours=i), seats={ShiftRole.ACCOMPANIER: 1})
        for i, status in enumerate(SignupStatus)
    }
    for status, hearing in seats.items():
        make_signup(shift=hearing.shifts[0], user=volunteer, status=status)
    cancelled = make_hearing(starts_at=soon, seats={ShiftRole.ACCOMPANIER: 2})
    make_signup(shift=cancelled.shifts[0], user=volunteer)
    cancelled.status = HearingStatus.CANCELLED
    cancelled.cancelled_at = utcnow()
    make_hearing(starts_at=soon + timedelta(days=1), seats={ShiftRole.ACCOMPANIER: 1})  # an open seat
    personal = feeds.issue_token(db.session, user=volunteer, kind=FeedKind.PERSONAL, actor=None)
    open_seats = feeds.issue_token(db.session, user=volunteer, kind=FeedKind.OPEN_SEATS, actor=None)
    db.session.commit()
    urls = _event_urls(client.get(f"/feeds/{personal}.ics").data)
    assert len(urls) == len(SignupStatus) + 1  # every signup kind, and the cancelled hearing
    open_urls = _event_urls(client.get(f"/feeds/{open_seats}.ics").data)
    assert open_urls
    auth.login_as(volunteer)
    for uid, url in {**urls, **open_urls}.items():
        assert client.get(_path(url)).status_code == 200, f"{uid} links to {url}"
    dropped = seats[SignupStatus.DROPPED].shifts[0]
    assert "You no longer have this seat" in client.get(f"/shifts/{dropped.id}").get_data(as_text=True)


def test_a_coordinators_events_open_the_hearing_page_and_their_own_seats(client, auth):
    from scheduler.enums import Role
    from tests.factories import make_court

    mine, away = make_court(name="Chicago Immigration Court"), make_court(name="Omaha Immigration Court")
    coordinator = make_user(role=Role.COORDINATOR, courts=(mine,))
    soon = utcnow() + timedelta(days=3)
    coordinated = make_hearing(court=mine, starts_at=soon, seats={ShiftRole.ACCOMPANIER: 2})
    elsewhere = make_hearing(court=away, starts_at=soon, seats={ShiftRole.ACCOMPANIER: 2})
    own = make_signup(shift=elsewhere.shifts[0], user=coordinator)
    token = feeds.issue_token(db.session, user=coordinator, kind=FeedKind.PERSONAL, actor=None)
    db.session.commit()
    urls = _event_urls(client.get(f"/feeds/{token}.ics").data)
    assert urls[f"hearing-{coordinated.id}@accompany.test"].endswith(f"/hearings/{coordinated.id}")
    auth.login_as(coordinator)
    for uid, url in urls.items():
        assert client.get(_path(url)).status_code == 200, f"{uid} links to {url}"
    # Their own seat at a court they do not coordinate shows as a volunteer sees it.
    page = client.get(f"/shifts/{own.shift_id}").get_data(as_text=True)
    assert "You have this seat" in page


def test_seat_emails_link_to_the_seat_page_the_volunteer_may_open(app, client, auth):
    from scheduler.notifications.messages import seat_context

    volunteer = make_user()
    hearing = make_hearing(starts_at=utcnow() + timedelta(days=3), seats={ShiftRole.ACCOMPANIER: 1})
    make_signup(shift=hearing.shifts[0], user=volunteer)
    db.session.commit()
    url = seat_context(hearing.shifts[0])["hearing_url"]
    assert url == f"https://accompany.test/shifts/{hearing.shifts[0].id}"
    assert seat_context(hearing.shifts[0], staff=True)["hearing_url"].endswith(f"/hearings/{hearing.id}")
    auth.login_as(volunteer)
    assert client.get(_path(url)).status_code == 200


def test_the_seat_page_offers_add_to_calendar(client, auth):
    volunteer = make_user()
    hearing = make_hearing(starts_at=utcnow() + timedelta(days=3), seats={ShiftRole.ACCOMPANIER: 1})
    signup = make_signup(shift=hearing.shifts[0], user=volunteer)
    db.session.commit()
    auth.login_as(volunteer)
    page = client.get(f"/shifts/{hearing.shifts[0].id}").get_data(as_text=True)
    link = f"/feeds/event/{hearing.shifts[0].id}.ics"
    assert f'href="{link}"' in page and "Add to calendar" in page
    response = client.get(link)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/calendar")
    (event,) = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    assert str(event["UID"]) == f"signup-{signup.id}@accompany.test"
    assert str(event["URL"]) == f"https://accompany.test/shifts/{hearing.shifts[0].id}"
