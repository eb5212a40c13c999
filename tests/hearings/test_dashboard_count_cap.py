"""The coverage dashboard counts its hearings up to a cap (issue 18 item 1).

Past the cap it says "More than N hearings" and "Page N" and pages by a row read ahead; below
it the exact total and "Page X of Y" as before. The count reads at most cap + 1 rows.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from scheduler.enums import Role
from scheduler.extensions import db
from scheduler.shifts import coverage
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_user


def hearing_ids(html: str) -> list[str]:
    return re.findall(r'href="/hearings/(\d+)"', html)


@pytest.fixture
def twelve(app, client, auth):
    court = make_court()
    start = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    for k in range(12):
        make_hearing(court=court, starts_at=start + timedelta(hours=k))
    coordinator = make_user(role=Role.COORDINATOR)
    db.session.commit()
    auth.login_as(coordinator)
    return client


def test_the_dashboards_count_reads_at_most_the_cap_and_one_more(app) -> None:
    coordinator = make_user(role=Role.COORDINATOR)
    now = datetime(2031, 4, 30, 0, tzinfo=UTC)
    for k in range(4):
        make_hearing(starts_at=now + timedelta(days=1, hours=k))
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        seen.append(" ".join(statement.split()).upper())

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        board = coverage.dashboard(db.session, user=coordinator, filters=coverage.Filters(), now=now, cap=2)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    counts = [q for q in seen if q.startswith("SELECT COUNT(")]
    assert len(counts) == 1 and "LIMIT" in counts[0], counts
    assert (board.page.total, board.page.more, board.page.pages) == (2, True, None)


def test_past_the_cap_the_dashboard_says_more_than_and_pages_to_the_end(twelve, monkeypatch) -> None:
    monkeypatch.setattr(coverage, "HEARING_COUNT_CAP", 5)
    first = twelve.get("/hearings/?per_page=5").get_data(as_text=True)
    assert "More than 5 hearings in the next 4 weeks." in first
    assert "Page 1<" in first and "Page 1 of" not in first and 'rel="next"' in first
    assert len(hearing_ids(first)) == 5
    last = twelve.get("/hearings/?per_page=5&page=3").get_data(as_text=True)
    assert "Page 3<" in last and 'rel="next"' not in last and 'rel="prev"' in last
    assert len(hearing_ids(last)) == 2
    shown = {
        i
        for page in (1, 2, 3)
        for i in hearing_ids(twelve.get(f"/hearings/?per_page=5&page={page}").get_data(as_text=True))
    }
    assert len(shown) == 12
    past = twelve.get("/hearings/?per_page=5&page=9")
    assert past.status_code == 200
    html = past.get_data(as_text=True)
    assert hearing_ids(html) == [] and 'rel="prev"' in html and "No hearings match" in html


def test_below_the_cap_the_dashboard_gives_the_total_and_clamps_the_page(twelve) -> None:
    first = twelve.get("/hearings/?per_page=5").get_data(as_text=True)
    assert "12 hearings in the next 4 weeks." in first and "Page 1 of 3" in first
    past = twelve.get("/hearings/?per_page=5&page=9").get_data(as_text=True)
    assert "Page 3 of 3" in past and len(hearing_ids(past)) == 2 and 'rel="next"' not in past
