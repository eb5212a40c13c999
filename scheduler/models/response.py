"""Rapid response: check-ins on the day, incidents, who was reached, and the on-call roster."""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.enums import CheckInState, IncidentKind, IncidentStatus, OnCallRole
from scheduler.extensions import Base
from scheduler.models._columns import created_at, enum_check, enum_type
from scheduler.types import UTCDateTime

if TYPE_CHECKING:
    from scheduler.models.court import Court
    from scheduler.models.hearing import Hearing
    from scheduler.models.user import User


class SeatCheckIn(Base):
    """What the holder of a seat said on the day: here, late, or cannot make it (latest wins)."""

    __tablename__ = "seat_checkins"
    __table_args__ = (enum_check("state", CheckInState),)

    signup_id: Mapped[int] = mapped_column(sa.ForeignKey("signups.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[CheckInState] = mapped_column(enum_type(CheckInState))
    noted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Incident(Base):
    """An alert raised at a hearing, and the record staff keep when they close it."""

    __tablename__ = "incidents"
    __table_args__ = (
        enum_check("kind", IncidentKind),
        enum_check("status", IncidentStatus),
        sa.CheckConstraint("tier >= 0", name="tier_non_negative"),
        # A double tap (or two volunteers at once) opens one incident per hearing and kind.
        sa.Index(
            "uq_incidents_open_hearing_kind",
            "hearing_id",
            "kind",
            unique=True,
            postgresql_where=sa.text("status = 'open'"),
            sqlite_where=sa.text("status = 'open'"),
        ),
        sa.Index("ix_incidents_court_id_raised_at", "court_id", "raised_at"),
        sa.Index("ix_incidents_status_tier_reached_at", "status", "tier_reached_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(sa.ForeignKey("hearings.id", ondelete="CASCADE"))
    # The hearing's court when the alert was raised: the monthly summary counts by it.
    court_id: Mapped[int] = mapped_column(sa.ForeignKey("courts.id", ondelete="RESTRICT"))
    kind: Mapped[IncidentKind] = mapped_column(enum_type(IncidentKind))
    status: Mapped[IncidentStatus] = mapped_column(enum_type(IncidentStatus), default=IncidentStatus.OPEN)
    # The raiser's short note: shown to signed-in staff only, never put in a message.
    note: Mapped[str] = mapped_column(sa.String(280), default="")
    raised_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # 0: the on-call roster, 1: the court's coordinators, 2: the admins.
    tier: Mapped[int] = mapped_column(default=0)
    tier_reached_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The closing record (purged with the hearing's private details, privacy/retention.py).
    what_happened: Mapped[str] = mapped_column(sa.Text, default="")
    agency: Mapped[str] = mapped_column(sa.String(80), default="")
    detained_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lawyer_reached: Mapped[bool] = mapped_column(default=False)
    family_contacted: Mapped[bool] = mapped_column(default=False)
    follow_up_needed: Mapped[bool] = mapped_column(default=False)
    staff_note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = created_at()

    hearing: Mapped[Hearing] = relationship()
    court: Mapped[Court] = relationship()
    raised_by: Mapped[User | None] = relationship(foreign_keys=[raised_by_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    recipients: Mapped[list[IncidentRecipient]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="IncidentRecipient.id"
    )


class IncidentRecipient(Base):
    """One person reached about an incident: on which channel, and their single-use ack link."""

    __tablename__ = "incident_recipients"
    __table_args__ = (sa.UniqueConstraint("incident_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("incidents.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    tier: Mapped[int] = mapped_column(default=0)
    # "" while no channel took the message: the page lists the person as not reached.
    channel: Mapped[str] = mapped_column(sa.String(20), default="")
    outbox_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox_messages.id", ondelete="SET NULL"), index=True
    )
    # SHA-256 of the acknowledgement token; the token itself is only in the message.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at()

    incident: Mapped[Incident] = relationship(back_populates="recipients")
    user: Mapped[User | None] = relationship()


class OnCallEntry(Base):
    """One person on call for one court on one weekday, between two local times (court zone)."""

    __tablename__ = "oncall_entries"
    __table_args__ = (
        enum_check("role", OnCallRole),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_valid"),
        sa.CheckConstraint("ends > starts", name="ends_after_starts"),
        sa.Index("ix_oncall_entries_court_id_weekday", "court_id", "weekday"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    court_id: Mapped[int] = mapped_column(sa.ForeignKey("courts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[OnCallRole] = mapped_column(enum_type(OnCallRole))
    # Monday is 0, as Python's date.weekday().
    weekday: Mapped[int]
    starts: Mapped[time] = mapped_column(sa.Time())
    ends: Mapped[time] = mapped_column(sa.Time())
    created_at: Mapped[datetime] = created_at()

    court: Mapped[Court] = relationship()
    user: Mapped[User] = relationship()
