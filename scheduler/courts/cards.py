"""The court-day card: per court and language, what a volunteer needs if ICE acts at the court.

Public facts of the network (its hotline, a meeting point, who leads the team on the day, what
to do and not do): no volunteer's or respondent's data. Shown on each seat page in the
volunteer's language, falling back to the other language rather than to nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler import audit
from scheduler.models import Court, CourtCard, User

CARD_LOCALES = ("en", "es")


@dataclass(frozen=True, slots=True)
class CardText:
    do_text: str = ""
    dont_text: str = ""
    meeting_point: str = ""


def _written(card: CourtCard) -> bool:
    """Whether this language's own texts are written (hotline and team lead are shared)."""
    return bool(card.do_text or card.dont_text or card.meeting_point)


def _filled(card: CourtCard) -> bool:
    return _written(card) or bool(card.hotline or card.team_lead)


def cards_of(session: Session, court_id: int) -> dict[str, CourtCard]:
    rows = session.scalars(select(CourtCard).where(CourtCard.court_id == court_id))
    return {row.locale: row for row in rows}


def card_for(session: Session, court_id: int, locale: str) -> CourtCard | None:
    """This court's card in ``locale``, else in the other language, else None."""
    cards = cards_of(session, court_id)
    order = (locale, *CARD_LOCALES)
    for wanted in (_written, _filled):
        for loc in order:
            if loc in cards and wanted(cards[loc]):
                return cards[loc]
    return None


def save_cards(
    session: Session,
    *,
    court: Court,
    actor: User,
    hotline: str,
    team_lead: str,
    texts: Mapping[str, CardText],
) -> None:
    """Write the card in each language (hotline and team lead are the same in every language)."""
    existing = cards_of(session, court.id)
    for locale in CARD_LOCALES:
        card = existing.get(locale)
        if card is None:
            card = CourtCard(court_id=court.id, locale=locale)
            session.add(card)
        text = texts.get(locale, CardText())
        card.hotline = hotline.strip()
        card.team_lead = team_lead.strip()
        card.do_text = text.do_text.strip()
        card.dont_text = text.dont_text.strip()
        card.meeting_point = text.meeting_point.strip()
    session.flush()
    audit.record(session, actor=actor, action="court.card_updated", object_type="court", object_id=court.id)
