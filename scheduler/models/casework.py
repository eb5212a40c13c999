"""A person's case over time: recurring check-ins, dates still to be set, reports after hearings."""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.domain.recurrence import dates_of
from scheduler.enums import HearingKind, HearingOutcome, HeldStatus
from scheduler.extensions import Base
from scheduler.models._columns import created_at, enum_check, enum_type, updated_at
from scheduler.models.court import Court
from scheduler.models.hearing import Hearing
from scheduler.types import UTCDateTime


class HearingSeries(Base):
    """A recurring ICE check-in: the rule, in the court's zone, and what each occurrence needs.

    Each occurrence is an ordinary hearing (its own seats, feed event and SEQUENCE) linked by
    ``SeriesOccurrence``; occurrences are made as the window of ``weeks_ahead`` moves on.
    """

    __tablename__ = "hearing_series"
    __table_args__ = (
        enum_check("kind", HearingKind),
        sa.CheckConstraint("weeks_ahead BETWEEN 1 AND 26", name="weeks_ahead_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    court_id: Mapped[int] = mapped_column(sa.ForeignKey("courts.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[HearingKind] = mapped_column(enum_type(HearingKind))
    # RFC 5545 text from dateutil (DTSTART + RRULE), dates at the court; see domain/recurrence.py.
    rule: Mapped[str] = mapped_column(sa.Text)
    # The rule's parts as the coordinator gave them (domain.recurrence.Recurrence), to split it.
    frequency: Mapped[str] = mapped_column(sa.String(20))
    interval: Mapped[int] = mapped_column(default=1)
    until_on: Mapped[date | None] = mapped_column(sa.Date())
    count: Mapped[int | None]
    local_time: Mapped[time] = mapped_column(sa.Time())
    # ISO dates left out of the rule (holidays, a skipped date).
    skipped: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    weeks_ahead: Mapped[int] = mapped_column(default=4)
    # What every occurrence copies: the first occurrence, whose seats, languages and notes it repeats.
    template_hearing_id: Mapped[int | None] = mapped_column(sa.ForeignKey("hearings.id", ondelete="SET NULL"))
    case_key: Mapped[str] = mapped_column(sa.String(32), index=True)
    # Split series ("this and the following"): the rule it continues.
    previous_series_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("hearing_series.id", ondelete="SET NULL")
    )
    ended: Mapped[bool] = mapped_column(default=False, index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    court: Mapped[Court] = relationship()
    occurrences: Mapped[list[SeriesOccurrence]] = relationship(
        back_populates="series", order_by="SeriesOccurrence.occurs_on"
    )

    @property
    def skipped_dates(self) -> frozenset[date]:
        return frozenset(date.fromisoformat(d) for d in self.skipped or [])

    @property
    def first_on(self) -> date:
        return dates_of(self.rule)[0]


class SeriesOccurrence(Base):
    """One date of a series and the hearing made for it (moved or cancelled, it keeps its date)."""

    __tablename__ = "series_occurrences"
    __table_args__ = (sa.UniqueConstraint("series_id", "occurs_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(sa.ForeignKey("hearing_series.id", ondelete="CASCADE"))
    occurs_on: Mapped[date] = mapped_column(sa.Date())
    hearing_id: Mapped[int] = mapped_column(sa.ForeignKey("hearings.id", ondelete="CASCADE"), unique=True)

    series: Mapped[HearingSeries] = relationship(back_populates="occurrences")
    hearing: Mapped[Hearing] = relationship()


class AwaitingDate(Base):
    """A hearing whose date is still to be set: the network checks the court's case status later."""

    __tablename__ = "awaiting_dates"
    __table_args__ = (
        enum_check("kind", HearingKind),
        sa.Index("ix_awaiting_dates_open_check", "resolved_at", "next_check_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    court_id: Mapped[int] = mapped_column(sa.ForeignKey("courts.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[HearingKind] = mapped_column(enum_type(HearingKind))
    # As on hearings: a first name or initials, coordinators only, never an A-number, purged.
    respondent_ref: Mapped[str] = mapped_column(sa.String(60), default="")
    case_key: Mapped[str] = mapped_column(sa.String(32), index=True)
    previous_hearing_id: Mapped[int | None] = mapped_column(sa.ForeignKey("hearings.id", ondelete="SET NULL"))
    next_check_on: Mapped[date] = mapped_column(sa.Date())
    hearing_id: Mapped[int | None] = mapped_column(sa.ForeignKey("hearings.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at()

    court: Mapped[Court] = relationship()
    previous_hearing: Mapped[Hearing | None] = relationship(foreign_keys=[previous_hearing_id])


class HearingReport(Base):
    """What a volunteer saw at a hearing; one per hearing. Court watch counts these."""

    __tablename__ = "hearing_reports"
    __table_args__ = (
        enum_check("held", HeldStatus),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN (" + ", ".join(f"'{m.value}'" for m in HearingOutcome) + ")",
            name="outcome_valid",
        ),
        sa.Index("ix_hearing_reports_court_month", "court_id", "held_month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(sa.ForeignKey("hearings.id", ondelete="CASCADE"), unique=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Copied from the hearing when filed, so court watch groups without reading hearings.
    court_id: Mapped[int] = mapped_column(sa.ForeignKey("courts.id", ondelete="RESTRICT"))
    held_month: Mapped[str] = mapped_column(sa.String(7))  # YYYY-MM at the court
    held: Mapped[HeldStatus] = mapped_column(enum_type(HeldStatus))
    outcome: Mapped[HearingOutcome | None] = mapped_column(enum_type(HearingOutcome))
    interpreter_present: Mapped[bool | None]
    interpreter_adequate: Mapped[bool | None]
    ice_present: Mapped[bool | None]
    judge: Mapped[str] = mapped_column(sa.String(120), default="")
    courtroom: Mapped[str] = mapped_column(sa.String(40), default="")
    staff_note: Mapped[str] = mapped_column(sa.Text, default="")
    next_kind: Mapped[HearingKind | None] = mapped_column(enum_type(HearingKind))
    next_hearing_id: Mapped[int | None] = mapped_column(sa.ForeignKey("hearings.id", ondelete="SET NULL"))
    next_awaiting_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("awaiting_dates.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = created_at()

    hearing: Mapped[Hearing] = relationship(foreign_keys=[hearing_id])
    court: Mapped[Court] = relationship()
