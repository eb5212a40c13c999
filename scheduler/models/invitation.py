"""A coordinator's invitation to one volunteer for one shift: nothing is assigned until they accept."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.extensions import Base
from scheduler.models._columns import created_at, enum_check, enum_type
from scheduler.types import UTCDateTime

if TYPE_CHECKING:
    from scheduler.models.hearing import Shift
    from scheduler.models.user import User


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class Invitation(Base):
    __tablename__ = "invitations"
    __table_args__ = (
        enum_check("status", InvitationStatus),
        # At most one open invitation per person and shift: a second invite refreshes nothing.
        sa.Index(
            "uq_invitations_pending",
            "shift_id",
            "user_id",
            unique=True,
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        ),
        sa.Index("ix_invitations_user_id_status", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("shifts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[InvitationStatus] = mapped_column(
        enum_type(InvitationStatus), default=InvitationStatus.PENDING
    )
    created_at: Mapped[datetime] = created_at()
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Past this instant (by default the shift's start) the invitation can no longer be accepted.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set when the invitation came from a "fill the gaps" plan, to tell the two apart in the log.
    from_plan: Mapped[bool] = mapped_column(default=False)
    # Random value an emailed accept/decline link signs; answering clears it, so a link works once.
    nonce: Mapped[str | None] = mapped_column(sa.String(32))

    shift: Mapped[Shift] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def is_open(self) -> bool:
        return self.status == InvitationStatus.PENDING
