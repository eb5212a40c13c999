"""A court's incidents by month and kind, for advocacy: counts only, small cells suppressed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.courts import scope
from scheduler.domain.response import suppressed
from scheduler.domain.timezones import to_local
from scheduler.enums import IncidentKind
from scheduler.errors import PermissionDenied, ServiceError
from scheduler.models import Court, Incident, User


@dataclass(frozen=True, slots=True)
class MonthRow:
    month: date
    # Per kind: the count, or None when it is under the threshold (shown as "fewer than 5").
    cells: dict[IncidentKind, int | None]


def _months_back(today: date, months: int) -> list[date]:
    first = today.replace(day=1)
    found = []
    for _ in range(months):
        found.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return found


def monthly_summary(
    session: Session, *, actor: User, court_id: int, now: datetime, months: int = 12
) -> tuple[Court, list[MonthRow]]:
    """The last ``months`` months (the court's calendar), newest first."""
    court = session.get(Court, court_id)
    if court is None:
        raise ServiceError("not_found")
    if not scope.may_manage_court(actor, court.id):
        raise PermissionDenied()
    wanted = _months_back(to_local(now, court.timezone).date(), months)
    since = now - timedelta(days=31 * months + 1)
    counts: Counter[tuple[date, IncidentKind]] = Counter()
    for raised_at, kind in session.execute(
        select(Incident.raised_at, Incident.kind).where(
            Incident.court_id == court.id, Incident.raised_at >= since
        )
    ):
        counts[(to_local(raised_at, court.timezone).date().replace(day=1), kind)] += 1
    rows = [MonthRow(m, {k: suppressed(counts[(m, k)]) for k in IncidentKind}) for m in wanted]
    return court, rows
