"""Which courts a coordinator works on. Admins, and coordinators given no courts, see all."""

from __future__ import annotations

from sqlalchemy import ColumnElement, true

from scheduler.models import Hearing, User


def court_ids(user: User) -> set[int] | None:
    """The ids of the courts this coordinator is scoped to, or None for every court."""
    if user.is_admin or not user.coordinated_courts:
        return None
    return {court.id for court in user.coordinated_courts}


def hearing_filter(user: User) -> ColumnElement[bool]:
    ids = court_ids(user)
    return true() if ids is None else Hearing.court_id.in_(ids)


def may_manage_court(user: User, court_id: int) -> bool:
    ids = court_ids(user)
    return user.is_coordinator and (ids is None or court_id in ids)
