"""The volunteer's list of open seats: short pages grouped by day, and honest about "fits you".

When the list says it shows seats that fit the volunteer, it keeps only the seats the claim
itself would accept (scheduler.domain.eligibility.claim_refusals: qualifications such as a car
for drivers and required trainings, overlaps, travel time between courts, the weekly cap), so
"Take this seat" never answers with a refusal for a reason the list could have known.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from math import ceil

from sqlalchemy.orm import Session, lazyload

from scheduler.domain.eligibility import Rules, SeatFacts, claim_refusals
from scheduler.domain.timezones import to_local
from scheduler.models import Shift
from scheduler.paging import Slice, capped_count, first_page, read_slice
from scheduler.shifts.facts import load_claimants, seat_fact_columns, seat_facts, seat_facts_of
from scheduler.shifts.queries import (
    ShiftFilters,
    court_zones,
    filled_counts,
    open_shifts_query,
    shifts_with_hearing,
)

# The open seats are counted up to this many: past it the page says "more than 240 seats",
# so the count costs the same however many seats the network has open (issue 18 item 1). The
# seats that fit a person are looked for among the next 240 open seats only (the claim rules
# run in Python): "12 seats among the next 240 open seats"; an end date looks further ahead.
SEAT_COUNT_CAP = 240


@dataclass(frozen=True, slots=True)
class SeatPage(Slice[Shift]):
    """One page of seats. `total`: the seats counted; `more`: more open seats than counted
    (no page count then); `among`: the fitting seats were looked for among this many."""

    total: int = 0
    more: bool = False
    among: int | None = None

    @property
    def pages(self) -> int | None:
        return None if self.more else max(ceil(self.total / self.per_page), 1)

    def days(self) -> list[tuple[date, list[Shift]]]:
        """The page's seats grouped by their day in their court's own time zone, in order."""
        groups: dict[date, list[Shift]] = {}
        for shift in self.rows:
            day = to_local(shift.starts_at, shift.hearing.court.timezone).date()
            groups.setdefault(day, []).append(shift)
        return list(groups.items())


def claimable_seats(
    session: Session, *, user_id: int, seats: Sequence[SeatFacts], now: datetime, rules: Rules
) -> list[SeatFacts]:
    """The seats this person could claim now, by the claim's own rules (one statement: the
    person's facts and commitments near the seats, as a claim reads them)."""
    if not seats:
        return []
    around = (min(s.starts_at for s in seats), max(s.ends_at for s in seats))
    claimant = load_claimants(session, user_ids=[user_id], around=around).get(user_id)
    if claimant is None:
        return []
    volunteer, commitments = claimant.volunteer, claimant.commitments
    return [
        seat
        for seat in seats
        if not claim_refusals(volunteer=volunteer, seat=seat, commitments=commitments, now=now, rules=rules)
    ]


def claimable(
    session: Session, *, user_id: int, shifts: Iterable[Shift], now: datetime, rules: Rules
) -> list[Shift]:
    """The same for shifts already loaded (the API's page of seats)."""
    shifts = list(shifts)
    kept = {
        seat.shift_id
        for seat in claimable_seats(
            session, user_id=user_id, seats=[seat_facts(s) for s in shifts], now=now, rules=rules
        )
    }
    return [shift for shift in shifts if shift.id in kept]


def open_seats_page(
    session: Session,
    *,
    user_id: int,
    filters: ShiftFilters,
    only_claimable: bool,
    now: datetime,
    horizon: timedelta | None,
    rules: Rules,
    page: int,
    per_page: int,
) -> tuple[SeatPage, dict[int, int]]:
    """A page of open seats and their confirmed counts; only claimable ones when asked."""
    zones = court_zones(session)
    page = first_page(page)
    cap = SEAT_COUNT_CAP
    if only_claimable:
        # The candidates as facts, not objects: up to 241 seats judged by the claim rules, then
        # only the page's seats loaded (at 50k hearings building 241 objects with their hearings
        # cost more than the rules).
        facts_query = open_shifts_query(filters=filters, now=now, horizon=horizon, zones=zones, load=False)
        found_rows = session.execute(facts_query.with_only_columns(*seat_fact_columns()).limit(cap + 1))
        candidates = [seat_facts_of(row) for row in found_rows]
        seats = claimable_seats(session, user_id=user_id, seats=candidates[:cap], now=now, rules=rules)
        page = min(page, max(ceil(len(seats) / per_page), 1))
        shown = [seat.shift_id for seat in seats[(page - 1) * per_page : page * per_page]]
        seats_page = SeatPage(
            rows=shifts_with_hearing(session, shown),
            has_next=page * per_page < len(seats),
            page=page,
            per_page=per_page,
            total=len(seats),
            among=cap if len(candidates) > cap else None,
        )
    else:
        query = open_shifts_query(filters=filters, now=now, horizon=horizon, zones=zones)
        counted = capped_count(session, query.options(lazyload("*")), cap=cap)
        found = read_slice(session, query, page=page, per_page=per_page)
        seats_page = SeatPage(
            rows=found.rows,
            has_next=found.has_next,
            page=page,
            per_page=per_page,
            total=min(counted, cap),
            more=counted > cap,
        )
    return seats_page, filled_counts(session, [s.id for s in seats_page.rows])
