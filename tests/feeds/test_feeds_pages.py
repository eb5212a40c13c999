"""The subscription page, its buttons, single-event downloads and the support command."""

from __future__ import annotations

import re
from datetime import timedelta

import icalendar

from scheduler.enums import FeedKind, ShiftRole, SignupStatus
from scheduler.extensions import db
from scheduler.feeds import content as feed_content
from scheduler.feeds import tokens as feeds
from scheduler.models import AuditEvent
from scheduler.types import utcnow
from tests.factories import make_hearing, make_signup, make_user


def _url_on(page: str) -> str:
    match = re.search(r'value="(https://accompany\.test/feeds/[A-Za-z0-9_-]+\.ics)"', page)
    assert match, "no feed URL on the page"
    return match.group(1)


def test_get_a_link_shows_it_with_subscribe_links(client, auth):
    volunteer = make_user()
    db.session.commit()
    auth.login_as(volunteer)
    page = client.get("/account/calendar").get_data(as_text=True)
    assert "This calendar is off." in page
    created = client.post("/account/calendar/personal/link", follow_redirects=True).get_data(as_text=True)
    url = _url_on(created)
    assert "webcal://accompany.test/feeds/" in created
    assert "https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2Faccompany.test%2Ffeeds%2F" in created
    assert "Anyone with this link can see this calendar" in created
    for app_name in ("iPhone", "Outlook", "Thunderbird"):
        assert app_name in created
    assert "Google Calendar and Outlook ignore reminders" in created
    # The page keeps showing the current link (derived again, never stored in clear).
    assert _url_on(client.get("/account/calendar").get_data(as_text=True)) == url
    assert client.get(url.removeprefix("https://accompany.test")).status_code == 200
    actions = [a.action for a in db.session.scalars(db.select(AuditEvent))]
    assert "feed.create" in actions


def test_new_link_stops_the_old_one_and_turn_off(client, auth):
    volunteer = make_user()
    db.session.commit()
    auth.login_as(volunteer)
    first = _url_on(
        client.post("/account/calendar/personal/link", follow_redirects=True).get_data(as_text=True)
    )
    second = _url_on(
        client.post("/account/calendar/personal/link", follow_redirects=True).get_data(as_text=True)
    )
    assert first != second
    path = lambda u: u.removeprefix("https://accompany.test")  # noqa: E731
    assert client.get(path(first)).status_code == 404
    assert client.get(path(second)).status_code == 200
    response = client.post("/account/calendar/personal/off", follow_redirects=True)
    assert "turned off" in response.get_data(as_text=True)
    assert client.get(path(second)).status_code == 404
    actions = [a.action for a in db.session.scalars(db.select(AuditEvent))]
    assert {"feed.rotate", "feed.revoke"} <= set(actions)


def test_open_seats_feed_is_separate(client, auth):
    volunteer = make_user()
    db.session.commit()
    auth.login_as(volunteer)
    client.post("/account/calendar/personal/link")
    client.post("/account/calendar/open-seats/link")
    assert feeds.active_token(db.session, user=volunteer, kind=FeedKind.PERSONAL)
    assert feeds.active_token(db.session, user=volunteer, kind=FeedKind.OPEN_SEATS)


def test_settings_form(client, auth):
    volunteer = make_user()
    db.session.commit()
    auth.login_as(volunteer)
    client.post("/account/calendar/settings", data={"alarm": "1h"})
    db.session.refresh(volunteer)
    assert volunteer.feed_alarm == "1h" and volunteer.feed_show_waitlist is False
    bad = client.post("/account/calendar/settings", data={"alarm": "5m", "show_waitlist": "y"})
    assert bad.status_code == 400
    db.session.refresh(volunteer)
    assert volunteer.feed_alarm == "1h"


def test_buttons_need_csrf(app, client, auth):
    volunteer = make_user()
    db.session.commit()
    auth.login_as(volunteer)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/account/calendar/personal/link").status_code == 400
    assert feeds.active_token(db.session, user=volunteer, kind=FeedKind.PERSONAL) is None


def test_page_needs_login(client):
    assert client.get("/account/calendar").status_code == 302


def test_single_event_download_matches_feed(client, auth):
    volunteer = make_user()
    hearing = make_hearing(starts_at=utcnow() + timedelta(days=2), seats={ShiftRole.ACCOMPANIER: 2})
    signup = make_signup(shift=hearing.shifts[0], user=volunteer)
    other_hearing = make_hearing()
    make_signup(shift=other_hearing.shifts[0], user=make_user())
    db.session.commit()
    auth.login_as(volunteer)
    response = client.get(f"/feeds/event/{hearing.shifts[0].id}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    (ev,) = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    assert str(ev["UID"]) == f"signup-{signup.id}@accompany.test"
    assert int(ev["SEQUENCE"]) == hearing.version
    # Someone else's seat, or no seat at all: nothing to download.
    assert client.get(f"/feeds/event/{other_hearing.shifts[0].id}.ics").status_code == 404
    assert client.get("/feeds/event/999999.ics").status_code == 404


def test_event_ics_for_signup_marks_a_drop_cancelled(app):
    volunteer = make_user(locale="es")
    hearing = make_hearing(seats={ShiftRole.INTERPRETER: 1})
    signup = make_signup(shift=hearing.shifts[0], user=volunteer, status=SignupStatus.DROPPED)
    db.session.commit()
    body = feed_content.event_ics_for_signup(db.session, signup_id=signup.id, base_url="https://a.test")
    (ev,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(ev["STATUS"]) == "CANCELLED"
    assert feed_content.event_ics_for_signup(db.session, signup_id=999999, base_url="https://a.test") is None


def test_cli_rotate_prints_new_url(app, runner, client):
    volunteer = make_user(email="help@example.test")
    old = feeds.issue_token(db.session, user=volunteer, kind=FeedKind.PERSONAL, actor=None)
    db.session.commit()
    result = runner.invoke(args=["feeds", "rotate", "HELP@example.test"])
    assert result.exit_code == 0, result.output
    url = result.output.strip()
    assert re.fullmatch(r"https://accompany\.test/feeds/[A-Za-z0-9_-]{43,}\.ics", url)
    assert client.get(url.removeprefix("https://accompany.test")).status_code == 200
    assert client.get(f"/feeds/{old}.ics").status_code == 404
    missing = runner.invoke(args=["feeds", "rotate", "nobody@example.test"])
    assert missing.exit_code != 0 and "no account" in missing.output
