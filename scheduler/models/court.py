"""Courts and ICE field offices: where hearings happen, and in which time zone."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.enums import CourtKind
from scheduler.extensions import Base
from scheduler.models._columns import created_at, enum_check, enum_type, updated_at


class Court(Base):
    __tablename__ = "courts"
    __table_args__ = (enum_check("kind", CourtKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(sa.String(16), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    city: Mapped[str] = mapped_column(sa.String(100))
    state: Mapped[str] = mapped_column(sa.String(2), index=True)
    address: Mapped[str] = mapped_column(sa.String(300))
    # IANA zone name; every local time at this court is read and shown in it.
    timezone: Mapped[str] = mapped_column(sa.String(64))
    kind: Mapped[CourtKind] = mapped_column(enum_type(CourtKind), default=CourtKind.COURT)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()
