"""Court watch: counts from the reports, per court, judge and month, safe to publish.

The database aggregates (GROUP BY court, judge, month, one page at a time), so a page costs the
same whatever the number of reports. Any count under 5 is suppressed, and so is a rate built on
it, and a whole row whose total is under 5: small numbers could point at a person. Nothing here
reads a respondent reference.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Label, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from scheduler.enums import HearingOutcome, HeldStatus
from scheduler.models import Court, HearingReport

THRESHOLD = 5
PAGE_SIZE = 100
MEASURES = (
    "accompanied",
    "postponed",
    "not_held",
    "interpreter_problems",
    "ice_present",
    "relief_granted",
    "removal_ordered",
    "continued",
)


@dataclass(frozen=True, slots=True)
class Cell:
    count: int | None  # None: suppressed
    rate: float | None = None


@dataclass(frozen=True, slots=True)
class Row:
    court: str
    judge: str
    month: str
    cells: dict[str, Cell]


@dataclass(frozen=True, slots=True)
class Filters:
    year: int
    court_ids: frozenset[int] | None  # None: every court
    court_id: int | None = None


def suppress(count: int, total: int, *, threshold: int = THRESHOLD) -> Cell:
    """A count shown only when it and its row's total are large enough (0 of 5+ may show)."""
    if total < threshold or 0 < count < threshold:
        return Cell(None)
    return Cell(count, count / total if total else None)


def _sums() -> list[Label[int]]:
    def flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    r = HearingReport
    return [
        func.count(r.id).label("accompanied"),
        flag(r.held == HeldStatus.POSTPONED).label("postponed"),
        flag(r.held == HeldStatus.NOT_HELD).label("not_held"),
        flag(or_(r.interpreter_present.is_(False), r.interpreter_adequate.is_(False))).label(
            "interpreter_problems"
        ),
        flag(r.ice_present.is_(True)).label("ice_present"),
        flag(r.outcome == HearingOutcome.RELIEF_GRANTED).label("relief_granted"),
        flag(r.outcome == HearingOutcome.REMOVAL_ORDERED).label("removal_ordered"),
        flag(r.outcome == HearingOutcome.CONTINUED).label("continued"),
    ]


def _where(query: Select, filters: Filters) -> Select:
    r = HearingReport
    query = query.where(
        and_(r.held_month >= f"{filters.year:04d}-01", r.held_month <= f"{filters.year:04d}-12")
    )
    if filters.court_ids is not None:
        query = query.where(r.court_id.in_(filters.court_ids))
    if filters.court_id is not None:
        query = query.where(r.court_id == filters.court_id)
    return query


def _cells(values: Sequence[int]) -> dict[str, Cell]:
    numbers = dict(zip(MEASURES, (int(v) for v in values), strict=True))
    total = numbers["accompanied"]
    cells = {name: suppress(n, total) for name, n in numbers.items()}
    if cells["accompanied"].count is not None:
        cells["accompanied"] = Cell(total)
    return cells


def table(session: Session, *, filters: Filters, page: int = 1) -> list[Row]:
    """One page of rows (court, judge as held, month), newest month first.

    A judge is one row whatever the capitals volunteers typed ("Judge Chen", "judge chen"):
    split, the same hearings fell into small cells that were suppressed, hiding what together
    could be published. The row shows one of the spellings (the first in sort order).
    """
    r = HearingReport
    judge = func.lower(r.judge)
    query = _where(
        select(Court.name, func.min(r.judge), r.held_month, *_sums()).join(Court, Court.id == r.court_id),
        filters,
    ).group_by(r.court_id, Court.name, judge, r.held_month)
    rows = session.execute(
        query.order_by(r.held_month.desc(), Court.name, judge)
        .limit(PAGE_SIZE)
        .offset(PAGE_SIZE * (max(page, 1) - 1))
    ).all()
    return [
        Row(court=name, judge=judge, month=month, cells=_cells(values))
        for name, judge, month, *values in rows
    ]


def by_month(session: Session, *, filters: Filters) -> list[Row]:
    """The year's twelve months (at most), all courts and judges in the filter together: the chart."""
    r = HearingReport
    rows = session.execute(
        _where(select(r.held_month, *_sums()), filters).group_by(r.held_month).order_by(r.held_month)
    ).all()
    return [Row(court="", judge="", month=month, cells=_cells(values)) for month, *values in rows]


@dataclass(frozen=True, slots=True)
class Bar:
    month: str
    x: float
    accompanied: int | None
    postponed: int | None
    height: float
    postponed_height: float


CHART_HEIGHT = 160.0
CHART_WIDTH = 360.0


def chart(rows: Iterable[Row]) -> list[Bar]:
    """Bars for the server-drawn SVG: one per month, suppressed months drawn as empty."""
    rows = list(rows)
    peak = max((row.cells["accompanied"].count or 0 for row in rows), default=0) or 1
    step = CHART_WIDTH / max(len(rows), 1)
    bars = []
    for i, row in enumerate(rows):
        total, postponed = row.cells["accompanied"].count, row.cells["postponed"].count
        bars.append(
            Bar(
                month=row.month,
                x=i * step,
                accompanied=total,
                postponed=postponed,
                height=CHART_HEIGHT * (total or 0) / peak,
                postponed_height=CHART_HEIGHT * (postponed or 0) / peak,
            )
        )
    return bars


def to_csv(rows: Iterable[Row], *, header: Sequence[str], suppressed: str = "<5") -> str:
    """The table as CSV: counts and rates, ``suppressed`` in every cell too small to publish."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        line: list[str] = [_plain(row.court), _plain(row.judge), row.month]
        for name in MEASURES:
            cell = row.cells[name]
            line.append(suppressed if cell.count is None else str(cell.count))
            if name != "accompanied":
                line.append("" if cell.rate is None else f"{cell.rate:.2f}")
        writer.writerow(line)
    return out.getvalue()


def _plain(text: str) -> str:
    """A text a spreadsheet will not run as a formula (a judge's name as a volunteer typed it)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_header(names: dict[str, str], *, court: str, judge: str, month: str, rate: str) -> list[str]:
    header = [court, judge, month]
    for name in MEASURES:
        header.append(names[name])
        if name != "accompanied":
            header.append(f"{names[name]} ({rate})")
    return header
