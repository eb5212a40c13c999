"""The court-day card: what a volunteer at this court needs if ICE acts, in each language."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.extensions import Base
from scheduler.models._columns import updated_at


class CourtCard(Base):
    """One court's card in one language (``locale``: en or es). Public facts, no personal data."""

    __tablename__ = "court_cards"

    court_id: Mapped[int] = mapped_column(sa.ForeignKey("courts.id", ondelete="CASCADE"), primary_key=True)
    locale: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    # The network's rapid-response hotline, as people dial it.
    hotline: Mapped[str] = mapped_column(sa.String(40), default="")
    do_text: Mapped[str] = mapped_column(sa.Text, default="")
    dont_text: Mapped[str] = mapped_column(sa.Text, default="")
    meeting_point: Mapped[str] = mapped_column(sa.String(300), default="")
    team_lead: Mapped[str] = mapped_column(sa.String(200), default="")
    updated_at: Mapped[datetime] = updated_at()
