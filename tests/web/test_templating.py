"""Times are shown as wall-clock time at the court, in the reader's language."""

from datetime import UTC, datetime

from flask_babel import force_locale

from scheduler.web.templating import court_date, court_datetime, court_time

# 15:15 UTC on 26 Nov 2026 is 07:15 in Los Angeles (PST) and 10:15 in New York (EST).
INSTANT = datetime(2026, 11, 26, 15, 15, tzinfo=UTC)


def test_full_datetime_is_court_time_with_its_zone_only(app) -> None:
    with app.test_request_context():
        text = court_datetime(INSTANT, "America/Los_Angeles", "full")
    assert text == "Thursday, November 26, 2026, 7:15\u202fAM PST"
    assert "Coordinated" not in text and "UTC" not in text


def test_short_and_medium_datetimes_have_no_seconds(app) -> None:
    with app.test_request_context():
        assert court_datetime(INSTANT, "America/New_York", "short") == "11/26/26, 10:15\u202fAM EST"
        assert court_datetime(INSTANT, "America/New_York") == "Nov 26, 2026, 10:15\u202fAM EST"


def test_spanish_court_datetime(app) -> None:
    with app.test_request_context(), force_locale("es"):
        text = court_datetime(INSTANT, "America/Chicago", "full")
    assert text == "jueves, 26 de noviembre de 2026, 9:15 CST"


def test_date_and_time_filters_use_the_court_zone(app) -> None:
    late = datetime(2026, 11, 27, 5, 30, tzinfo=UTC)  # still the 26th in Honolulu
    with app.test_request_context():
        assert court_date(late, "Pacific/Honolulu", "medium") == "Nov 26, 2026"
        assert court_time(late, "Pacific/Honolulu") == "7:30\u202fPM HST"


def test_missing_instant_renders_empty(app) -> None:
    with app.test_request_context():
        assert court_datetime(None, "America/Chicago") == ""
