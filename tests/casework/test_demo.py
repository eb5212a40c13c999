"""After `make run` the demo shows casework: a series, a case to date, and court-watch figures."""

from __future__ import annotations

from sqlalchemy import func, select

from scheduler.casework import court_watch
from scheduler.extensions import db
from scheduler.models import AwaitingDate, HearingReport, HearingSeries


def test_the_demo_has_a_series_a_case_awaiting_a_date_and_court_watch_figures(app, runner) -> None:
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    made = db.session.scalar(select(HearingSeries))
    assert made is not None and len(made.occurrences) >= 3
    assert db.session.scalar(select(func.count()).select_from(AwaitingDate)) == 1
    assert db.session.scalar(select(func.count()).select_from(HearingReport)) > 40
    years = {int(m[:4]) for m in db.session.scalars(select(HearingReport.held_month))}
    shown = [
        row
        for year in years
        for row in court_watch.table(db.session, filters=court_watch.Filters(year=year, court_ids=None))
        if row.cells["accompanied"].count is not None
    ]
    assert shown, "court watch would show only suppressed cells"
