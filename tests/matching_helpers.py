"""Shared set-up for the matching tests: people who are free, hearings at a known local time."""

from __future__ import annotations

from datetime import time, timedelta

from scheduler.domain.timezones import local_to_utc
from scheduler.enums import ShiftRole
from scheduler.extensions import db
from scheduler.models import AvailabilityWindow
from scheduler.types import utcnow
from tests.factories import make_user


def free_person(**kw):
    """An approved volunteer available every day 06:00-20:00 (court local time)."""
    kw.setdefault("roles", (ShiftRole.ACCOMPANIER, ShiftRole.INTERPRETER))
    user = make_user(**kw)
    user.profile.availability = [
        AvailabilityWindow(weekday=d, start_time=time(6), end_time=time(20)) for d in range(7)
    ]
    db.session.flush()
    return user


def local_start(days: int = 3, hour: int = 10, tz: str = "America/Chicago"):
    """An instant ``days`` from today at ``hour`` o'clock in the court's zone."""
    return local_to_utc(utcnow().date() + timedelta(days=days), time(hour), tz)
