"""Hearings and ICE check-ins, and the seats (shifts) each one needs."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.enums import HearingKind, HearingStatus, ShiftRole, ShiftStatus
from scheduler.extensions import Base
from scheduler.models._columns import created_at, enum_check, enum_type, updated_at
from scheduler.types import UTCDateTime

if TYPE_CHECKING:
    from scheduler.models.court import Court
    from scheduler.models.signup import Signup


class Hearing(Base):
    __tablename__ = "hearings"
    __table_args__ = (
        enum_check("kind", HearingKind),
        enum_check("status", HearingStatus),
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.Index("ix_hearings_court_id_starts_at", "court_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    court_id: Mapped[int] = mapped_column(sa.ForeignKey("courts.id", ondelete="RESTRICT"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    duration_minutes: Mapped[int] = mapped_column(default=60)
    kind: Mapped[HearingKind] = mapped_column(enum_type(HearingKind))
    status: Mapped[HearingStatus] = mapped_column(
        enum_type(HearingStatus), default=HearingStatus.SCHEDULED, index=True
    )
    courtroom: Mapped[str] = mapped_column(sa.String(40), default="")
    judge: Mapped[str] = mapped_column(sa.String(120), default="")
    # First name or initials chosen by the coordinator; coordinators only; purged after a while.
    respondent_ref: Mapped[str] = mapped_column(sa.String(60), default="")
    meeting_point: Mapped[str] = mapped_column(sa.Text, default="")
    public_notes: Mapped[str] = mapped_column(sa.Text, default="")
    private_notes: Mapped[str] = mapped_column(sa.Text, default="")
    outcome_note: Mapped[str] = mapped_column(sa.Text, default="")
    date_confirmed: Mapped[bool] = mapped_column(default=False)
    # Raised on every change volunteers must hear about; published as the iCal SEQUENCE.
    version: Mapped[int] = mapped_column(default=1)
    # Shared by a person's successive hearings, so matching can favour the same volunteers.
    case_key: Mapped[str] = mapped_column(sa.String(32), index=True)
    previous_hearing_id: Mapped[int | None] = mapped_column(sa.ForeignKey("hearings.id", ondelete="SET NULL"))
    cancel_reason: Mapped[str] = mapped_column(sa.Text, default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    court: Mapped[Court] = relationship()
    languages: Mapped[list[HearingLanguage]] = relationship(
        cascade="all, delete-orphan", order_by="HearingLanguage.language"
    )
    shifts: Mapped[list[Shift]] = relationship(
        back_populates="hearing", cascade="all, delete-orphan", order_by="Shift.starts_at"
    )

    @property
    def language_codes(self) -> list[str]:
        return [lang.language for lang in self.languages]


class HearingLanguage(Base):
    __tablename__ = "hearing_languages"

    hearing_id: Mapped[int] = mapped_column(
        sa.ForeignKey("hearings.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(sa.String(16), primary_key=True, index=True)


class Shift(Base):
    """The seats of one role at one hearing, with the time that role is needed."""

    __tablename__ = "shifts"
    __table_args__ = (
        enum_check("role", ShiftRole),
        enum_check("status", ShiftStatus),
        sa.CheckConstraint("capacity >= 0", name="capacity_non_negative"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_starts"),
        # Open seats from a date on, in the lists' order (the /shifts list, its count,
        # recommendations): one range of this index, read in order until the page is full.
        # A shift's open shifts (the dashboard's coverage and week summary): one probe of the
        # second. Without them a database without statistics yet (fresh after a bulk load) joined
        # every scheduled hearing to shifts and /shifts ran past the statement timeout at 50k
        # hearings. Neither starts with status, which a planner without statistics would take
        # for selective and AND into every plan. The second ends with starts_at so that a probe
        # of one hearing's shifts from a date on is one index range: with (hearing_id, status)
        # alone, a planner without statistics ANDed in a bitmap of the whole starts_at range for
        # every hearing, and /shifts again passed the statement timeout (0020 -> 0021).
        sa.Index("ix_shifts_starts_at_id_status", "starts_at", "id", "status"),
        sa.Index("ix_shifts_hearing_id_status_starts_at", "hearing_id", "status", "starts_at"),
        sa.UniqueConstraint("hearing_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(sa.ForeignKey("hearings.id", ondelete="CASCADE"), index=True)
    role: Mapped[ShiftRole] = mapped_column(enum_type(ShiftRole))
    capacity: Mapped[int] = mapped_column(default=1)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[ShiftStatus] = mapped_column(enum_type(ShiftStatus), default=ShiftStatus.OPEN)
    # Confirmed signups, kept by the database's triggers (scheduler.models.filled_seats) for
    # queries that sum seats over many shifts; read it in SQL, not from a loaded object.
    filled_seats: Mapped[int] = mapped_column(default=0, server_default="0")
    # Where the seat falls in its court's local week (seconds from Monday 00:00, see
    # domain.timezones.week_seconds), kept at every flush by scheduler.models.local_week, so a
    # volunteer's weekly windows narrow the open seats in SQL without a branch per time zone and
    # day. NULL means not known (rows written around the ORM): SQL lets the seat through and the
    # eligibility rules decide.
    local_week_start: Mapped[int | None] = mapped_column(default=None)
    local_week_end: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    hearing: Mapped[Hearing] = relationship(back_populates="shifts")
    signups: Mapped[list[Signup]] = relationship(
        back_populates="shift", cascade="all, delete-orphan", order_by="Signup.id"
    )
