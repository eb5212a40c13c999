"""Court-watch counts: aggregated by the database, small cells suppressed, no one named."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from scheduler.casework import court_watch as service
from scheduler.enums import HearingOutcome, HeldStatus
from scheduler.extensions import db
from scheduler.models import HearingReport
from tests.casework.helpers import NOW, chicago
from tests.factories import make_hearing


def _reports(court, n: int, *, judge="Judge Ortiz", month="2031-02", **values):
    for i in range(n):
        hearing = make_hearing(
            court=court, starts_at=NOW - timedelta(days=30 + i), respondent_ref="MARKER-RESP-7731"
        )
        db.session.add(
            HearingReport(
                hearing_id=hearing.id,
                court_id=court.id,
                held_month=month,
                judge=judge,
                held=values.get("held", HeldStatus.HAPPENED),
                outcome=values.get("outcome"),
                interpreter_present=values.get("interpreter_present"),
                ice_present=values.get("ice_present"),
            )
        )
    db.session.flush()


def test_suppress_rule() -> None:
    assert service.suppress(4, 10) == service.Cell(None)
    assert service.suppress(0, 10) == service.Cell(0, 0.0)
    assert service.suppress(5, 10) == service.Cell(5, 0.5)
    assert service.suppress(0, 4) == service.Cell(None)


def test_counts_and_rates_per_court_judge_and_month_with_small_cells_suppressed(app) -> None:
    court = chicago()
    _reports(court, 6, ice_present=True)
    _reports(court, 2, held=HeldStatus.POSTPONED, interpreter_present=False)
    _reports(court, 3, judge="Judge Lee")
    _reports(court, 5, month="2031-01", outcome=HearingOutcome.CONTINUED)
    filters = service.Filters(year=2031, court_ids=None)
    rows = {(r.judge, r.month): r for r in service.table(db.session, filters=filters)}
    ortiz = rows[("Judge Ortiz", "2031-02")].cells
    assert ortiz["accompanied"] == service.Cell(8)
    assert ortiz["ice_present"] == service.Cell(6, 0.75)
    assert ortiz["postponed"].count is None and ortiz["interpreter_problems"].count is None
    assert ortiz["relief_granted"] == service.Cell(0, 0.0)
    assert all(c.count is None for c in rows[("Judge Lee", "2031-02")].cells.values())
    assert rows[("Judge Ortiz", "2031-01")].cells["continued"] == service.Cell(5, 1.0)
    months = service.by_month(db.session, filters=filters)
    assert [(m.month, m.cells["accompanied"].count) for m in months] == [("2031-01", 5), ("2031-02", 11)]
    bars = service.chart(months)
    assert bars[1].height == service.CHART_HEIGHT and bars[1].postponed is None


def test_one_judge_is_one_row_whatever_the_capitals(app) -> None:
    """Split by spelling, 3 + 2 reports were two suppressed rows; together they are published."""
    court = chicago()
    _reports(court, 3, judge="Judge Ortiz")
    _reports(court, 2, judge="judge ORTIZ")
    rows = service.table(db.session, filters=service.Filters(year=2031, court_ids=None))
    assert [(r.judge, r.cells["accompanied"].count) for r in rows] == [("Judge Ortiz", 5)]


def test_scope_and_year_filter(app) -> None:
    mine, other = chicago(), chicago()
    _reports(mine, 5)
    _reports(other, 5)
    _reports(mine, 5, month="2030-12")
    rows = service.table(db.session, filters=service.Filters(year=2031, court_ids=frozenset({mine.id})))
    assert [(r.court, r.month) for r in rows] == [(mine.name, "2031-02")]


def test_csv_has_no_reference_and_marks_suppressed_cells(app) -> None:
    court = chicago()
    _reports(court, 5, judge="=HYPERLINK(1)")
    _reports(court, 1, judge="Judge Lee")
    rows = service.table(db.session, filters=service.Filters(year=2031, court_ids=None))
    names = {m: m for m in service.MEASURES}
    text = service.to_csv(rows, header=service.csv_header(names, court="c", judge="j", month="m", rate="r"))
    assert "MARKER" not in text and "'=HYPERLINK(1)" in text and "<5" in text


@pytest.mark.committed
def test_a_page_costs_the_same_number_of_statements_whatever_the_table_size(app) -> None:
    court = chicago()
    filters = service.Filters(year=2031, court_ids=None)
    counts = []
    for _ in range(2):
        _reports(court, 20)
        db.session.commit()
        counts.append(
            _statements(
                lambda: (
                    service.table(db.session, filters=filters),
                    service.by_month(db.session, filters=filters),
                )
            )
        )
    assert counts[0] == counts[1] == 2


def _statements(run) -> int:
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)
