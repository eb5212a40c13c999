"""People: accounts and the volunteer profile that matching reads."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from scheduler.enums import Role, ShiftRole, UserStatus
from scheduler.extensions import Base
from scheduler.models._columns import created_at, enum_check, enum_type, updated_at
from scheduler.types import UTCDateTime

if TYPE_CHECKING:
    from scheduler.models.court import Court

coordinator_courts = sa.Table(
    "coordinator_courts",
    Base.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("court_id", sa.ForeignKey("courts.id", ondelete="CASCADE"), primary_key=True),
)

volunteer_preferred_courts = sa.Table(
    "volunteer_preferred_courts",
    Base.metadata,
    sa.Column("user_id", sa.ForeignKey("volunteer_profiles.user_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("court_id", sa.ForeignKey("courts.id", ondelete="CASCADE"), primary_key=True),
)


# The people search matches anywhere in a name or email (ILIKE '%...%'): on PostgreSQL a
# trigram index answers that without reading every row; SQLite has no such index and scans.
sa.event.listen(
    Base.metadata,
    "before_create",
    sa.DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)


def _trigram_index(column: str) -> sa.Index:
    return sa.Index(
        f"ix_users_{column}_trgm",
        column,
        postgresql_using="gin",
        postgresql_ops={column: "gin_trgm_ops"},
    ).ddl_if(dialect="postgresql")


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        enum_check("role", Role),
        enum_check("status", UserStatus),
        # The people list pages newest first, by status or everyone (scheduler/people/listing.py).
        sa.Index("ix_users_status_created", "status", "created_at", "id"),
        sa.Index("ix_users_created", "created_at", "id"),
        _trigram_index("display_name"),
        _trigram_index("email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique constraint means "unique ignoring case" on every database.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(120))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role), default=Role.VOLUNTEER, index=True)
    status: Mapped[UserStatus] = mapped_column(enum_type(UserStatus), default=UserStatus.PENDING, index=True)
    locale: Mapped[str] = mapped_column(sa.String(8), default="en")
    # Bumped when the password changes: every session and remember-me cookie then stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set by an admin's lock-down: the password no longer signs in until reset by email.
    must_reset_password: Mapped[bool] = mapped_column(default=False)
    # Calendar feed settings (scheduler/feeds): reminder "none" | "1h" | "1d", and whether
    # waitlisted seats show as tentative events.
    feed_alarm: Mapped[str] = mapped_column(sa.String(4), default="none")
    feed_show_waitlist: Mapped[bool] = mapped_column(default=True)

    profile: Mapped[VolunteerProfile | None] = relationship(
        back_populates="user", cascade="all, delete-orphan", uselist=False
    )
    coordinated_courts: Mapped[list[Court]] = relationship(secondary=coordinator_courts)

    @validates("email")
    def _normalise_email(self, _key: str, value: str) -> str:
        return value.strip().lower()

    # Flask-Login protocol ------------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        # Pending and suspended people may log in, to see the page that tells them their status.
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    # Convenience predicates used by views and templates -----------------------------------
    @property
    def is_approved(self) -> bool:
        return self.status == UserStatus.APPROVED

    @property
    def is_coordinator(self) -> bool:
        """Coordinators and admins both coordinate; admins additionally manage roles."""
        return self.is_approved and self.role in (Role.COORDINATOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.is_approved and self.role == Role.ADMIN


class VolunteerProfile(Base):
    __tablename__ = "volunteer_profiles"
    __table_args__ = (sa.CheckConstraint("max_shifts_per_week >= 0", name="max_shifts_non_negative"),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    has_car: Mapped[bool] = mapped_column(default=False)
    max_shifts_per_week: Mapped[int] = mapped_column(default=2)
    updated_at: Mapped[datetime] = updated_at()

    user: Mapped[User] = relationship(back_populates="profile")
    languages: Mapped[list[VolunteerLanguage]] = relationship(
        cascade="all, delete-orphan", order_by="VolunteerLanguage.language"
    )
    roles: Mapped[list[VolunteerRole]] = relationship(
        cascade="all, delete-orphan", order_by="VolunteerRole.role"
    )
    trainings: Mapped[list[VolunteerTraining]] = relationship(
        cascade="all, delete-orphan", order_by="VolunteerTraining.training"
    )
    availability: Mapped[list[AvailabilityWindow]] = relationship(
        cascade="all, delete-orphan",
        order_by="(AvailabilityWindow.weekday, AvailabilityWindow.start_time)",
    )
    blackout_dates: Mapped[list[BlackoutDate]] = relationship(
        cascade="all, delete-orphan", order_by="BlackoutDate.day"
    )
    preferred_courts: Mapped[list[Court]] = relationship(secondary=volunteer_preferred_courts)

    @property
    def language_codes(self) -> list[str]:
        return [lang.language for lang in self.languages]

    @property
    def role_values(self) -> list[ShiftRole]:
        return [r.role for r in self.roles]


class VolunteerLanguage(Base):
    __tablename__ = "volunteer_languages"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("volunteer_profiles.user_id", ondelete="CASCADE"), primary_key=True
    )
    # A code from scheduler.domain.languages (ISO 639 where one exists).
    language: Mapped[str] = mapped_column(sa.String(16), primary_key=True, index=True)


class VolunteerRole(Base):
    __tablename__ = "volunteer_roles"
    __table_args__ = (enum_check("role", ShiftRole),)

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("volunteer_profiles.user_id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[ShiftRole] = mapped_column(enum_type(ShiftRole), primary_key=True)


class VolunteerTraining(Base):
    __tablename__ = "volunteer_trainings"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("volunteer_profiles.user_id", ondelete="CASCADE"), primary_key=True
    )
    # A key from scheduler.domain.trainings.
    training: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    completed_on: Mapped[date]


class AvailabilityWindow(Base):
    """A weekly window, in the wall-clock time of whichever court a seat is at."""

    __tablename__ = "availability_windows"
    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        sa.CheckConstraint("end_time > start_time", name="end_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("volunteer_profiles.user_id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int]  # 0 = Monday, as in datetime.weekday()
    start_time: Mapped[time]
    end_time: Mapped[time]


class BlackoutDate(Base):
    __tablename__ = "blackout_dates"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("volunteer_profiles.user_id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
