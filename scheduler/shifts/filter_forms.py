"""Reading the open-shifts filters from the query string (view side), the profile as default."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from scheduler import i18n
from scheduler.courts import queries as court_queries
from scheduler.enums import ShiftRole
from scheduler.models import User
from scheduler.shifts.queries import DEFAULT_HORIZON, ShiftFilters, profile_filters
from scheduler.web.inputguard import query_date


@dataclass(frozen=True, slots=True)
class FilterView:
    filters: ShiftFilters
    horizon: timedelta | None
    fitted: bool  # narrowed to the volunteer's profile
    court_choices: list[tuple[int, str]]
    court: int | None
    role: str
    language: str
    date_from: date | None
    date_to: date | None

    def args(self) -> dict[str, str]:
        """The query string that keeps these filters across pages."""
        values = {
            "court": str(self.court or ""),
            "role": self.role,
            "language": self.language,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "all": "" if self.fitted else "1",
        }
        return {k: v for k, v in values.items() if v}


def _date(text: str | None) -> date | None:
    return query_date(text)  # a bad or far-off date is ignored rather than answered with an error page


def filters_from_request(session: Session, *, user: User, args: MultiDict) -> FilterView:
    courts = [(c.id, c.name) for c in court_queries.active_courts(session, by_name=True)]
    court = args.get("court", type=int)
    if court not in {c for c, _ in courts}:
        court = None
    role = args.get("role", "")
    if role not in {r.value for r in ShiftRole}:
        role = ""
    language = args.get("language", "")
    if language not in i18n.LANGUAGE_NAMES:
        language = ""
    first, last = _date(args.get("from")), _date(args.get("to"))
    fitted = args.get("all") != "1"
    base = profile_filters(user) if fitted else ShiftFilters()
    filters = replace(
        base,
        court_ids=(court,) if court else base.court_ids,
        roles=(ShiftRole(role),) if role else base.roles,
        languages=(language,) if language else base.languages,
        date_from=first,
        date_to=last,
    )
    return FilterView(
        filters=filters,
        horizon=None if last else DEFAULT_HORIZON,
        fitted=fitted,
        court_choices=courts,
        court=court,
        role=role,
        language=language,
        date_from=first,
        date_to=last,
    )
