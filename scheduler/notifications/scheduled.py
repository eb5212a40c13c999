"""Messages that time, not a change, sends: reminders before a seat and the coordinators' digest.

Both are idempotent: every message carries a dedupe key (seat, person, hours and the seat's
start instant for a reminder; person and local date for a digest), so running them every minute
from the worker, or from cron, or both, sends each once. A hearing that moves gets new
reminders, because its start instant is part of the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scheduler.casework import awaiting
from scheduler.courts import scope as court_scope
from scheduler.enums import HearingStatus, Role, UserStatus
from scheduler.models import Hearing, Shift, Signup, User
from scheduler.notifications.compose import compose
from scheduler.notifications.links import external_url
from scheduler.notifications.messages import _when, seat_context
from scheduler.notifications.outbox import Composed, enqueue, existing_keys
from scheduler.notifications.preferences import REMINDER_CHOICES, prefs_for_many
from scheduler.shifts.queries import is_filled_seat, needs_people
from scheduler.types import utcnow

DIGEST_DAYS = 7


def reminder_key(hours: int, signup_id: int, starts_at: datetime) -> str:
    return f"reminder:{hours}h:{signup_id}:{starts_at.isoformat()}"


def due_hours(hours: tuple[int, ...], *, starts_at: datetime, now: datetime) -> int | None:
    """The reminder due now: the smallest chosen lead time the seat is already inside.

    Someone who takes a seat an hour before it starts gets the 2-hour reminder only, not a
    24-hour one as well; the larger one is never sent later, since time only moves closer.
    """
    inside = [h for h in hours if starts_at - timedelta(hours=h) <= now < starts_at]
    return min(inside) if inside else None


def send_reminders(session: Session, *, now: datetime | None = None) -> int:
    """Queue every reminder that is due and not queued yet; flushes. Returns how many."""
    now = now or utcnow()
    default_hours = list(current_app.config["REMINDER_HOURS"])
    horizon = max([*default_hours, *REMINDER_CHOICES])
    signups = list(
        session.scalars(
            select(Signup)
            .join(Shift, Signup.shift_id == Shift.id)
            .join(Hearing, Shift.hearing_id == Hearing.id)
            .join(User, Signup.user_id == User.id)
            .where(
                is_filled_seat(),
                Hearing.status == HearingStatus.SCHEDULED,
                User.status == UserStatus.APPROVED,
                Shift.starts_at > now,
                Shift.starts_at <= now + timedelta(hours=horizon),
            )
            .options(
                selectinload(Signup.user),
                selectinload(Signup.shift).selectinload(Shift.hearing).selectinload(Hearing.court),
            )
            .order_by(Shift.starts_at, Signup.id)
        )
    )
    prefs = prefs_for_many(session, [s.user_id for s in signups], default_hours=default_hours)
    wanted: dict[str, tuple[Signup, int]] = {}
    for signup in signups:
        hours = due_hours(prefs[signup.user_id].reminder_hours, starts_at=signup.shift.starts_at, now=now)
        if hours is not None:
            wanted[reminder_key(hours, signup.id, signup.shift.starts_at)] = (signup, hours)
    done = existing_keys(session, wanted)
    count = 0
    for key, (signup, hours) in wanted.items():
        if key in done:
            continue
        ctx = seat_context(signup.shift)
        user = signup.user
        message = compose(
            kind="reminder",
            template="reminder",
            locale=user.locale,
            user=user,
            optional_kind="reminder",
            # mypy cannot type a lambda with a default (which binds this loop's value).
            subject=lambda c=ctx: _(  # type: ignore[misc]
                "Reminder: %(role)s at %(court)s, %(when)s",
                role=c["role"],
                court=c["court"].name,
                when=_when(c["shift"].starts_at, c["court"]),
            ),
            signup=signup,
            hours=hours,
            **ctx,
        )
        if enqueue(session, user=user, message=message, dedupe_key=key) is not None:
            count += 1
    session.flush()
    return count


@dataclass(frozen=True, slots=True)
class OpenSeat:
    shift: Shift
    filled: int


def unfilled_seats(session: Session, *, now: datetime, days: int = DIGEST_DAYS) -> list[OpenSeat]:
    rows = session.execute(
        select(Shift, Shift.filled_seats)
        .join(Hearing, Shift.hearing_id == Hearing.id)
        .where(needs_people(), Shift.starts_at > now, Shift.starts_at <= now + timedelta(days=days))
        .options(selectinload(Shift.hearing).selectinload(Hearing.court))
        .order_by(Shift.starts_at, Shift.id)
    ).all()
    return [OpenSeat(shift, int(n)) for shift, n in rows]


def digest_date(now: datetime) -> tuple[str, bool]:
    """Today's local date (in the default zone) and whether the digest hour has come."""
    local = now.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    return local.date().isoformat(), local.hour >= int(current_app.config["DIGEST_HOUR"])


def send_digest(session: Session, *, now: datetime | None = None, force: bool = False) -> int:
    """Once a day per coordinator: the seats still open in the next week, within their courts,
    and how many cases per court are due a look at the court's case status (no one named)."""
    now = now or utcnow()
    day, due = digest_date(now)
    if not (due or force):
        return 0
    seats = unfilled_seats(session, now=now)
    checks = awaiting.due_checks(session, today=date.fromisoformat(day))
    if not seats and not checks:
        return 0
    staff = list(
        session.scalars(
            select(User)
            .where(User.role.in_((Role.COORDINATOR, Role.ADMIN)), User.status == UserStatus.APPROVED)
            .options(selectinload(User.coordinated_courts))
            .order_by(User.id)
        )
    )
    prefs = prefs_for_many(session, [u.id for u in staff], default_hours=current_app.config["REMINDER_HOURS"])
    keys = {u.id: f"digest:{u.id}:{day}" for u in staff}
    done = existing_keys(session, keys.values())
    count = 0
    for user in staff:
        if not prefs[user.id].digest or keys[user.id] in done:
            continue
        message = _digest_message(user, seats, checks)
        if (
            message is not None
            and enqueue(session, user=user, message=message, dedupe_key=keys[user.id]) is not None
        ):
            count += 1
    session.flush()
    return count


def _digest_message(user: User, seats: list[OpenSeat], checks: list[awaiting.DueCheck]) -> Composed | None:
    allowed = court_scope.court_ids(user)
    mine = [s for s in seats if allowed is None or s.shift.hearing.court_id in allowed]
    my_checks = [c for c in checks if allowed is None or c.court_id in allowed]
    if not mine and not my_checks:
        return None
    items = [
        dict(seat_context(s.shift, staff=True), filled=s.filled, capacity=s.shift.capacity) for s in mine
    ]
    n_items = len(items)

    def subject() -> str:  # called under the recipient's locale
        if not n_items:
            return _("Cases to check for a hearing date today")
        return ngettext(
            "%(num)d seat still open in the next 7 days",
            "%(num)d seats still open in the next 7 days",
            n_items,
        )

    return compose(
        kind="digest",
        template="digest",
        locale=user.locale,
        user=user,
        optional_kind="digest",
        subject=subject,
        items=items,
        checks=my_checks,
        awaiting_url=external_url("casework.awaiting_list"),
    )
