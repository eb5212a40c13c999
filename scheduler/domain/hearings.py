"""Rules about a hearing's seats that do not need the database."""

from __future__ import annotations

from datetime import datetime, timedelta

from scheduler.enums import ShiftRole

# How long before the hearing each role is needed: the team meets the person beforehand,
# and a driver must collect them first.
LEAD_TIME = {
    ShiftRole.ACCOMPANIER: timedelta(minutes=45),
    ShiftRole.INTERPRETER: timedelta(minutes=45),
    ShiftRole.OBSERVER: timedelta(minutes=45),
    ShiftRole.DRIVER: timedelta(minutes=90),
}


def default_shift_window(
    *, role: ShiftRole, hearing_start: datetime, duration_minutes: int
) -> tuple[datetime, datetime]:
    """From the role's lead time before the hearing until the hearing's expected end."""
    return hearing_start - LEAD_TIME[role], hearing_start + timedelta(minutes=duration_minutes)
