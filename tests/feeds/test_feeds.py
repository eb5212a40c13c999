"""The feed URL as a calendar app sees it: content, privacy, caching, tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import event

from scheduler.enums import FeedKind, HearingStatus, Role, ShiftRole, SignupStatus
from scheduler.extensions import db
from scheduler.feeds import tokens as feeds
from scheduler.models import SiteSetting
from scheduler.models.twofactor import UID_DOMAIN_KEY
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_signup, make_user

SECRET_REF = "ZZRESPONDENTZZ"
SECRET_NOTE = "ZZPRIVATENOTEZZ"
SECRET_OUTCOME = "ZZOUTCOMEZZ"


def _at(days: int, hour_utc: int = 15) -> datetime:
    base = utcnow().replace(hour=hour_utc, minute=0, second=0, microsecond=0)
    return base + timedelta(days=days)


def _feed(client, token: str, **headers):
    return client.get(f"/feeds/{token}.ics", headers=headers)


def _events(response) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(response.data)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


@pytest.fixture
def seat(app):
    court = make_court(name="Chicago Immigration Court", address="525 W Van Buren St, Chicago, IL")
    volunteer = make_user(display_name="Vol One", roles=(ShiftRole.INTERPRETER,), languages=("es",))
    hearing = make_hearing(
        court=court,
        starts_at=_at(5),
        seats={ShiftRole.INTERPRETER: 1, ShiftRole.ACCOMPANIER: 2},
        courtroom="12",
        meeting_point="Lobby, 4th floor",
        public_notes="Bring ID",
        respondent_ref=SECRET_REF,
        private_notes=SECRET_NOTE,
        outcome_note=SECRET_OUTCOME,
    )
    signup = make_signup(shift=hearing.shifts[0], user=volunteer)
    token = feeds.issue_token(db.session, user=volunteer, kind=FeedKind.PERSONAL, actor=volunteer)
    db.session.commit()
    return volunteer, hearing, signup, token


def test_feed_fields_parse_back(client, seat):
    _volunteer, hearing, signup, token = seat
    response = _feed(client, token)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert "private" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers
    assert "Content-Encoding" not in response.headers
    assert not response.data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in response.data and b"\n" not in response.data.replace(b"\r\n", b"")
    cal = icalendar.Calendar.from_ical(response.data)
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["METHOD"]) == "PUBLISH"
    assert cal["PRODID"] and cal["X-WR-CALNAME"]
    assert str(cal["X-WR-TIMEZONE"]) == "America/Chicago"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in response.data
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in response.data
    tz = cal.walk("VTIMEZONE")[0]
    assert {c.name for c in tz.subcomponents} == {"STANDARD", "DAYLIGHT"}
    (ev,) = cal.walk("VEVENT")
    assert str(ev["UID"]) == f"signup-{signup.id}@accompany.test"
    assert int(ev["SEQUENCE"]) == 1
    assert ev["DTSTAMP"] and ev["LAST-MODIFIED"]
    assert ev["DTSTART"].params["TZID"] == "America/Chicago"
    assert ev.decoded("DTSTART") == hearing.shifts[0].starts_at
    assert ev.decoded("DTEND") == hearing.shifts[0].ends_at
    assert str(ev["SUMMARY"]) == "Interpreter · Chicago Immigration Court"
    assert str(ev["LOCATION"]) == "525 W Van Buren St, Chicago, IL"
    description = str(ev["DESCRIPTION"])
    for text in ("Interpreter", "Courtroom: 12", "Lobby, 4th floor", "Bring ID"):
        assert text in description
    assert f"https://accompany.test/shifts/{hearing.shifts[0].id}" in description
    assert str(ev["URL"]) == f"https://accompany.test/shifts/{hearing.shifts[0].id}"
    assert str(ev["CLASS"]) == "PRIVATE"
    assert str(ev["STATUS"]) == "CONFIRMED"
    assert "VALARM" not in response.data.decode()


def test_no_private_hearing_data_in_any_feed(client, seat):
    volunteer, _hearing, _signup, token = seat
    coordinator = make_user(role=Role.COORDINATOR)
    other = make_user(roles=(ShiftRole.ACCOMPANIER,))
    tokens = [
        token,
        feeds.issue_token(db.session, user=coordinator, kind=FeedKind.PERSONAL, actor=None),
        feeds.issue_token(db.session, user=other, kind=FeedKind.OPEN_SEATS, actor=None),
    ]
    db.session.commit()
    for t in tokens:
        body = _feed(client, t).data.decode()
        assert "BEGIN:VEVENT" in body
        for marker in (SECRET_REF, SECRET_NOTE, SECRET_OUTCOME, volunteer.email):
            assert marker not in body


def test_reschedule_keeps_uid_and_raises_sequence(client, seat):
    _volunteer, hearing, signup, token = seat
    first = _feed(client, token)
    hearing.starts_at += timedelta(days=7)
    for shift in hearing.shifts:
        shift.starts_at += timedelta(days=7)
        shift.ends_at += timedelta(days=7)
    hearing.version += 1
    db.session.commit()
    second = _feed(client, token, **{"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert second.headers["ETag"] != first.headers["ETag"]
    (ev,) = _events(second).values()
    assert str(ev["UID"]) == f"signup-{signup.id}@accompany.test"
    (before,) = _events(first).values()
    assert int(ev["SEQUENCE"]) > int(before["SEQUENCE"])
    assert ev.decoded("DTSTART") == hearing.shifts[0].starts_at


@pytest.mark.parametrize("how", ["drop", "cancel"])
def test_drop_or_cancel_shows_cancelled_then_leaves_after_30_days(client, seat, how):
    _volunteer, hearing, signup, token = seat
    if how == "drop":
        signup.status = SignupStatus.DROPPED
        signup.status_changed_at = utcnow()
    else:
        hearing.status = HearingStatus.CANCELLED
        hearing.cancelled_at = utcnow()
        hearing.version += 1
    db.session.commit()
    (ev,) = _events(_feed(client, token)).values()
    assert str(ev["STATUS"]) == "CANCELLED"
    old = utcnow() - timedelta(days=31)
    if how == "drop":
        signup.status_changed_at = old
    else:
        hearing.cancelled_at = old
    db.session.commit()
    response = _feed(client, token)
    assert _events(response) == {}
    # It aged out: Last-Modified moved on, so If-Modified-Since clients refetch too.
    assert response.last_modified >= old.replace(microsecond=0)


def test_past_90_days_kept_then_gone(client, seat):
    volunteer, *_rest, token = seat
    recent = make_hearing(starts_at=_at(-80))
    ancient = make_hearing(starts_at=_at(-100))
    make_signup(shift=recent.shifts[0], user=volunteer)
    make_signup(shift=ancient.shifts[0], user=volunteer)
    db.session.commit()
    hrefs = {str(e["URL"]) for e in _events(_feed(client, token)).values()}
    assert f"https://accompany.test/shifts/{recent.shifts[0].id}" in hrefs
    assert f"https://accompany.test/shifts/{ancient.shifts[0].id}" not in hrefs


def test_waitlist_tentative_unless_hidden(client, seat):
    volunteer, _hearing, _signup, token = seat
    other = make_hearing(starts_at=_at(9))
    make_signup(shift=other.shifts[0], user=volunteer, status=SignupStatus.WAITLISTED)
    db.session.commit()
    events = _events(_feed(client, token))
    (tentative,) = [e for e in events.values() if str(e["STATUS"]) == "TENTATIVE"]
    assert str(tentative["SUMMARY"]).endswith("(waitlist)")
    volunteer.feed_show_waitlist = False
    db.session.commit()
    assert len(_events(_feed(client, token))) == 1


def test_meeting_point_notes_and_lead_only_for_a_confirmed_seat(client, seat):
    """Waitlisted, dropped or removed: the event keeps role, courtroom and link, not the team's details."""
    volunteer, hearing, signup, token = seat
    lead = make_user(display_name="Lena Lead")
    make_signup(shift=hearing.shifts[1], user=lead, team_lead=True)
    other = make_hearing(starts_at=_at(9), meeting_point="Side door", public_notes="Bring ID")
    make_signup(shift=other.shifts[0], user=volunteer, status=SignupStatus.WAITLISTED)
    db.session.commit()
    confirmed = str(_events(_feed(client, token))[f"signup-{signup.id}@accompany.test"]["DESCRIPTION"])
    assert "Lobby, 4th floor" in confirmed and "Lena Lead" in confirmed
    (tentative,) = [e for e in _events(_feed(client, token)).values() if str(e["STATUS"]) == "TENTATIVE"]
    assert "Side door" not in str(tentative["DESCRIPTION"]) and "Bring ID" not in str(
        tentative["DESCRIPTION"]
    )
    signup.status = SignupStatus.REMOVED
    signup.status_changed_at = utcnow()
    db.session.commit()
    gone = str(_events(_feed(client, token))[f"signup-{signup.id}@accompany.test"]["DESCRIPTION"])
    assert "Lobby, 4th floor" not in gone and "Lena Lead" not in gone and "Bring ID" not in gone


def test_alarm_setting(client, seat):
    volunteer, *_rest, token = seat
    volunteer.feed_alarm = "1d"
    db.session.commit()
    (ev,) = _events(_feed(client, token)).values()
    (alarm,) = ev.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(days=1)


def test_feed_never_shows_another_volunteers_seats(client, seat):
    _volunteer, hearing, signup, token = seat
    other = make_user(display_name="Other Person")
    other_hearing = make_hearing(starts_at=_at(6))
    make_signup(shift=other_hearing.shifts[0], user=other)
    theirs = make_signup(shift=hearing.shifts[1], user=other)
    db.session.commit()
    events = _events(_feed(client, token))
    assert set(events) == {f"signup-{signup.id}@accompany.test"}
    assert f"signup-{theirs.id}@" not in _feed(client, token).data.decode()
    assert "Other Person" not in _feed(client, token).data.decode()


def test_team_lead_name_shown(client, seat):
    _volunteer, hearing, _signup, token = seat
    lead = make_user(display_name="Lena Lead", email="lena@example.test")
    lead.phone = "555-0100"
    make_signup(shift=hearing.shifts[1], user=lead, team_lead=True)
    db.session.commit()
    body = _feed(client, token).data.decode()
    (ev,) = _events(_feed(client, token)).values()
    assert "Team lead: Lena Lead" in str(ev["DESCRIPTION"])
    assert "lena@example.test" not in body and "555-0100" not in body


def test_etag_and_last_modified_stable_until_content_changes(client, seat, monkeypatch):
    _volunteer, hearing, _signup, token = seat
    # Polls a few seconds after the writes: If-Modified-Since alone gets a 304 only once the
    # second of the last change is over (tests/feeds/test_feed_conditional.py).
    later = utcnow() + timedelta(seconds=3)
    monkeypatch.setattr("scheduler.feeds.views.utcnow", lambda: later)
    first = _feed(client, token)
    again = _feed(client, token)
    assert first.headers["ETag"] == again.headers["ETag"]
    assert first.headers["ETag"].startswith('"') and not first.headers["ETag"].startswith("W/")
    assert first.headers["Last-Modified"] == again.headers["Last-Modified"]
    not_modified = _feed(client, token, **{"If-None-Match": first.headers["ETag"]})
    assert not_modified.status_code == 304 and not_modified.data == b""
    assert not_modified.headers["ETag"] == first.headers["ETag"]
    weak = _feed(client, token, **{"If-None-Match": "W/" + first.headers["ETag"]})
    assert weak.status_code == 304
    since = _feed(client, token, **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    stale = _feed(client, token, **{"If-None-Match": '"not-the-tag"'})
    assert stale.status_code == 200
    old_date = _feed(client, token, **{"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert old_date.status_code == 200
    hearing.courtroom = "14"
    db.session.commit()
    changed = _feed(client, token, **{"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != first.headers["ETag"]


@pytest.mark.parametrize("change", ["court", "drop", "setting", "teammate"])
def test_every_change_moves_the_etag(client, seat, change):
    volunteer, hearing, signup, token = seat
    before = _feed(client, token).headers["ETag"]
    if change == "court":
        hearing.court.address = "1 New Address"
    elif change == "drop":
        signup.status = SignupStatus.DROPPED
    elif change == "setting":
        volunteer.feed_alarm = "1h"
    else:
        lead = make_user(display_name="New Lead")
        make_signup(shift=hearing.shifts[1], user=lead, team_lead=True)
    db.session.commit()
    assert _feed(client, token).headers["ETag"] != before


@pytest.mark.committed  # counts statements: the test harness's SAVEPOINTs must not be among them
def test_not_modified_runs_one_query(app, client, seat):
    """A poll with nothing new: the token lookup, whose change-journal counts say the ETag
    remembered from the last poll still holds (no stamp query, no calendar built)."""
    app.config["FEED_STAMP_VERIFY"] = False  # the suite's extra check runs the stamp query
    *_rest, token = seat
    etag = _feed(client, token).headers["ETag"]
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = _feed(client, token, **{"If-None-Match": etag})
        head_statements = len(statements)
        statements.clear()
        full = _feed(client, token)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 304
    assert head_statements == 1  # the token, with its owner and journal counts
    assert full.status_code == 200
    assert len(statements) == 4  # token, the owner's feed revision, commitments, team leads
    app.extensions["feed_stamps"].clear()  # as in a newly started worker
    statements.clear()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert _feed(client, token, **{"If-None-Match": etag}).status_code == 304
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 2  # token, then the stamp query


def test_head_gives_headers_without_body(client, seat):
    *_rest, token = seat
    response = client.head(f"/feeds/{token}.ics")
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["ETag"]
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"


def test_no_accept_header_needed_and_no_cookie(client, seat):
    *_rest, token = seat
    response = client.get(f"/feeds/{token}.ics", headers={"Accept": ""})
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_wrong_rotated_and_revoked_tokens_get_a_plain_404(client, seat):
    volunteer, *_rest, token = seat
    wrong = client.get("/feeds/" + "x" * 43 + ".ics")
    assert wrong.status_code == 404
    assert wrong.headers["Content-Type"].startswith("text/plain")
    assert wrong.data == b"Not found\n"
    new_token = feeds.issue_token(db.session, user=volunteer, kind=FeedKind.PERSONAL, actor=volunteer)
    db.session.commit()
    rotated = _feed(client, token)
    assert rotated.status_code == 404 and rotated.data == wrong.data
    assert _feed(client, new_token).status_code == 200
    feeds.revoke_token(db.session, user=volunteer, kind=FeedKind.PERSONAL, actor=volunteer)
    db.session.commit()
    revoked = _feed(client, new_token)
    assert revoked.status_code == 404 and revoked.data == wrong.data


def test_token_is_long_random_and_stored_only_as_hash(app, seat):
    volunteer, *_rest, token = seat
    assert len(token) >= 43  # 32 bytes, base64url
    row = feeds.active_token(db.session, user=volunteer, kind=FeedKind.PERSONAL)
    assert row.token_hash == feeds.hash_token(token) and token not in row.token_hash


def test_token_unlocks_nothing_else(client, seat):
    *_rest, token = seat
    assert client.get("/account/calendar", headers={"Authorization": f"Bearer {token}"}).status_code == 302
    assert client.get(f"/account/calendar?token={token}").status_code == 302


def test_suspended_owner_feed_is_gone(client, seat):
    from scheduler.enums import UserStatus

    volunteer, *_rest, token = seat
    volunteer.status = UserStatus.SUSPENDED
    db.session.commit()
    assert _feed(client, token).status_code == 404


def test_coordinator_feed_shows_coverage(client):
    court = make_court(name="Denver Immigration Court", timezone="America/Denver")
    elsewhere = make_court()
    coordinator = make_user(role=Role.COORDINATOR, courts=(court,))
    hearing = make_hearing(
        court=court,
        starts_at=_at(4),
        seats={ShiftRole.ACCOMPANIER: 2, ShiftRole.INTERPRETER: 1},
        courtroom="12",
        respondent_ref=SECRET_REF,
    )
    make_hearing(court=elsewhere, starts_at=_at(4))
    make_signup(shift=hearing.shifts[0], user=make_user())
    make_signup(shift=hearing.shifts[1], user=make_user())
    token = feeds.issue_token(db.session, user=coordinator, kind=FeedKind.PERSONAL, actor=None)
    db.session.commit()
    events = _events(_feed(client, token))
    assert set(events) == {f"hearing-{hearing.id}@accompany.test"}
    (ev,) = events.values()
    assert str(ev["SUMMARY"]) == "2/3 filled · Master calendar · Courtroom 12"
    assert ev["DTSTART"].params["TZID"] == "America/Denver"
    assert SECRET_REF not in _feed(client, token).data.decode()


def test_coordinator_feed_also_holds_their_own_seats(client):
    """A coordinator who accompanies too finds that seat in the same calendar, at any court."""
    mine = make_court(name="Chicago Immigration Court")
    other_court = make_court(name="Omaha Immigration Court")
    coordinator = make_user(role=Role.COORDINATOR, courts=(mine,), display_name="Cora Coord")
    coordinated = make_hearing(court=mine, starts_at=_at(4), seats={ShiftRole.ACCOMPANIER: 2})
    away = make_hearing(court=other_court, starts_at=_at(6), seats={ShiftRole.ACCOMPANIER: 2})
    own = make_signup(shift=away.shifts[0], user=coordinator)
    token = feeds.issue_token(db.session, user=coordinator, kind=FeedKind.PERSONAL, actor=None)
    db.session.commit()
    first = _feed(client, token)
    events = _events(first)
    assert set(events) == {f"hearing-{coordinated.id}@accompany.test", f"signup-{own.id}@accompany.test"}
    assert (
        str(events[f"signup-{own.id}@accompany.test"]["SUMMARY"]) == "Accompanier · Omaha Immigration Court"
    )
    own.status = SignupStatus.DROPPED
    own.status_changed_at = utcnow()
    db.session.commit()
    again = _feed(client, token, **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert str(_events(again)[f"signup-{own.id}@accompany.test"]["STATUS"]) == "CANCELLED"


def test_open_seats_feed_lists_fitting_seats_with_room(client):
    volunteer = make_user(roles=(ShiftRole.INTERPRETER,), languages=("es",))
    fits = make_hearing(starts_at=_at(3), seats={ShiftRole.INTERPRETER: 1}, languages=("es",))
    wrong_language = make_hearing(starts_at=_at(3), seats={ShiftRole.INTERPRETER: 1}, languages=("ht",))
    wrong_role = make_hearing(starts_at=_at(3), seats={ShiftRole.DRIVER: 1})
    full = make_hearing(starts_at=_at(3), seats={ShiftRole.INTERPRETER: 1}, languages=("es",))
    make_signup(shift=full.shifts[0], user=make_user())
    token = feeds.issue_token(db.session, user=volunteer, kind=FeedKind.OPEN_SEATS, actor=None)
    db.session.commit()
    events = _events(_feed(client, token))
    assert set(events) == {f"shift-{fits.shifts[0].id}@accompany.test"}
    assert wrong_language.id and wrong_role.id
    assert str(next(iter(events.values()))["STATUS"]) == "TENTATIVE"


def test_rate_limited_per_token_with_plain_429(app, client, seat):
    *_rest, token = seat
    app.config["FEED_RATE_LIMIT_TOKEN"] = "3 per hour"
    codes = [_feed(client, token).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = _feed(client, token)
    assert limited.headers["Content-Type"].startswith("text/plain")
    assert int(limited.headers["Retry-After"]) > 0


def test_last_used_is_recorded(app, client, seat):
    volunteer, *_rest, token = seat
    _feed(client, token)
    db.session.expire_all()
    row = feeds.active_token(db.session, user=volunteer, kind=FeedKind.PERSONAL)
    assert row.last_used_at is not None
    assert datetime.now(UTC) - row.last_used_at < timedelta(minutes=1)


@pytest.mark.committed  # the domain is remembered per engine, not for a session on a test's connection
def test_a_full_feed_reads_the_installations_uid_domain_once(app, client, seat):
    """The UID domain never changes once chosen: after the first feed, full feeds skip its read
    (bench/feeds.py's warm feed stays at its former number of statements)."""
    app.config["FEED_STAMP_VERIFY"] = False
    app.config["UID_DOMAIN"] = ""  # the installation's own, stored in site_settings
    *_rest, token = seat
    first = _feed(client, token)  # on an empty table this one makes the domain
    _feed(client, token)  # this one finds it stored and remembers it
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        again = _feed(client, token)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    stored = db.session.get(SiteSetting, UID_DOMAIN_KEY).value
    assert f"@{stored}".encode() in first.data and f"@{stored}".encode() in again.data
    assert not [s for s in statements if "site_settings" in s]
