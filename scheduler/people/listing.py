"""The coordinators' list of people: newest first, by status, searched by name or email.

A page reads one page of users and one row more (scheduler/paging.py), not a count of every
user: (status, created_at, id) and (created_at, id) are indexes it walks backwards. The search
matches anywhere in the name or email with ILIKE, which PostgreSQL answers from the trigram
indexes on both columns (migration 0012_page_indexes).
"""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload

from scheduler.enums import UserStatus
from scheduler.models import User, VolunteerProfile
from scheduler.paging import Slice, read_slice

STATUS_FILTERS = ("pending", "approved", "suspended", "all")
SEARCH_LENGTH = 100


def chosen_status(raw: str | None) -> str:
    return raw if raw in STATUS_FILTERS else "pending"


def people_query(*, status: str, search: str) -> Select:
    """Users newest first (ties by id), of one status unless "all", matching the search."""
    query = select(User).order_by(User.created_at.desc(), User.id.desc())
    if status != "all":
        query = query.where(User.status == UserStatus(status))
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(User.email.ilike(pattern, escape="\\"), User.display_name.ilike(pattern, escape="\\"))
        )
    return query


def people_page(session: Session, *, status: str, search: str, page: int, per_page: int) -> Slice[User]:
    """One page of people with their languages and roles (a fixed number of statements)."""
    query = people_query(status=chosen_status(status), search=search.strip()[:SEARCH_LENGTH]).options(
        selectinload(User.profile).selectinload(VolunteerProfile.languages),
        selectinload(User.profile).selectinload(VolunteerProfile.roles),
    )
    return read_slice(session, query, page=page, per_page=per_page)
