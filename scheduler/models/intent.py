"""Things that happened and that someone must hear of, waiting for the notifications worker.

A service writes the row in the transaction of the change (``scheduler.events.record``), so a
change that commits always has its intent and one that rolls back has none. The worker turns
each pending intent into outbox mail once (``scheduler/notifications/dispatch.py``) and deletes
it in that same transaction: the outbox rows are then the record of what was sent.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.extensions import Base
from scheduler.models._columns import created_at, enum_check, enum_type
from scheduler.types import UTCDateTime


class IntentStatus(StrEnum):
    PENDING = "pending"
    # Its handler raised: kept for an operator (``flask outbox status`` counts them), not retried.
    # A handled intent is deleted in the transaction that stores its mail, so none is "done".
    FAILED = "failed"


class NotificationIntent(Base):
    """One event (``scheduler/events.py``): its kind and the facts its messages need, as JSON."""

    __tablename__ = "notification_intents"
    __table_args__ = (
        enum_check("status", IntentStatus),
        sa.Index("ix_notification_intents_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    # Ids, instants and changed values only: never a respondent's reference or private notes.
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    status: Mapped[IntentStatus] = mapped_column(enum_type(IntentStatus), default=IntentStatus.PENDING)
    # Error class only, when the handler failed.
    last_error: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = created_at()
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
