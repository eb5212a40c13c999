"""A person's place on a shift: confirmed, waitlisted, or kept as history once dropped."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.enums import Attendance, SignupStatus
from scheduler.extensions import Base
from scheduler.models import filled_seats
from scheduler.models._columns import created_at, enum_check, enum_type, updated_at
from scheduler.types import UTCDateTime

if TYPE_CHECKING:
    from scheduler.models.hearing import Shift
    from scheduler.models.user import User


class Signup(Base):
    __tablename__ = "signups"
    __table_args__ = (
        enum_check("status", SignupStatus),
        enum_check("seen_status", SignupStatus),
        sa.CheckConstraint(
            "attendance IS NULL OR attendance IN ('attended', 'no_show')", name="attendance_valid"
        ),
        # One row per person per shift: re-claiming after a drop reuses it, and a double
        # click or a race can never seat the same person twice.
        sa.UniqueConstraint("shift_id", "user_id"),
        sa.Index("ix_signups_user_id_status", "user_id", "status"),
        sa.Index("ix_signups_shift_id_status", "shift_id", "status"),
        # The late-drop alerts on every coordinator dashboard view look for these rows.
        sa.Index("ix_signups_status_dropped_late", "status", "dropped_late"),
        # Open-seat lists also show seats offered for hand-over; the few rows with an offer are
        # found in this small partial index instead of a scan of every signup.
        sa.Index(
            "ix_signups_handover_offered",
            "shift_id",
            postgresql_where=sa.text("handover_offered_at IS NOT NULL"),
            sqlite_where=sa.text("handover_offered_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shifts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[SignupStatus] = mapped_column(enum_type(SignupStatus))
    team_lead: Mapped[bool] = mapped_column(default=False)
    # Waitlist order is by this instant, then id.
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handover_offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    drop_reason: Mapped[str] = mapped_column(sa.Text, default="")
    dropped_late: Mapped[bool] = mapped_column(default=False)
    attendance: Mapped[Attendance | None] = mapped_column(enum_type(Attendance))
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    override_reason: Mapped[str] = mapped_column(sa.Text, default="")
    # What the volunteer saw on their commitments page last time, so the page can say what
    # changed since (time, court, cancellation, a waitlist place turned into a seat).
    seen_status: Mapped[SignupStatus | None] = mapped_column(enum_type(SignupStatus))
    seen_version: Mapped[int | None]
    seen_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    seen_court_id: Mapped[int | None]
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    shift: Mapped[Shift] = relationship(back_populates="signups")
    user: Mapped[User] = relationship(foreign_keys=[user_id])


filled_seats.attach(Signup.__table__)
