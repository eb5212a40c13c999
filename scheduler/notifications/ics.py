"""The calendar attachment of a change email: the seat's event, same UID and SEQUENCE as the feed.

METHOD:PUBLISH, not REQUEST/CANCEL. REQUEST and CANCEL are iTIP scheduling messages: they need
an ORGANIZER and the recipient as ATTENDEE, and clients answer them with RSVPs. We put no
addresses in events (the feed carries no names either), and nothing here is an invitation to
answer. A PUBLISH object with the feed's UID and a higher SEQUENCE is what Apple Calendar,
Thunderbird and Outlook use to update the event already imported; a cancelled hearing is the same
event with STATUS:CANCELLED.
"""

from __future__ import annotations

import logging

from icalendar import Calendar, Event
from sqlalchemy.orm import Session

from scheduler.feeds import revisions as feed_revisions
from scheduler.feeds.content import domain_of
from scheduler.feeds.web import event_ics_for_signup, settings
from scheduler.models import Signup
from scheduler.types import utcnow
from scheduler.urls import base_url

log = logging.getLogger(__name__)

METHOD = "PUBLISH"


def signup_uid(signup_id: int, domain: str) -> str:
    """The feed's UID for a seat (scheduler/domain/feeds.py commitment_event)."""
    return f"signup-{signup_id}@{domain}"


def seat_ics(session: Session, *, signup: Signup, domain: str) -> tuple[bytes, str, str]:
    """(bytes, filename, method) of the seat's one-event calendar."""
    content = None
    try:
        content = event_ics_for_signup(session, signup_id=signup.id, base_url=base_url())
    except Exception:  # a broken attachment must not stop the change or its message
        log.exception("seat_ics: the feed renderer failed for signup %d; using the minimal event", signup.id)
        content = None
    if content is None:
        # The feed's UID domain (the installation's own), not the mail domain from BASE_URL.
        uid_domain = domain_of(session, configured=settings().uid_domain)
        content = _fallback(session, signup=signup, domain=uid_domain)
    return content, f"hearing-{signup.shift.hearing_id}.ics", METHOD


def _fallback(session: Session, *, signup: Signup, domain: str) -> bytes:
    """A minimal event with the feed's UID and SEQUENCE, when the feed renderer failed."""
    shift = signup.shift
    hearing = shift.hearing
    cal = Calendar()
    cal.add("prodid", "-//Accompany//Notifications//EN")
    cal.add("version", "2.0")
    cal.add("method", METHOD)
    event = Event()
    event.add("uid", signup_uid(signup.id, domain))
    event.add("sequence", feed_revisions.seat_sequence(session, signup.id))
    event.add("dtstamp", utcnow())
    event.add("dtstart", shift.starts_at)
    event.add("dtend", shift.ends_at)
    event.add("summary", hearing.court.name)
    event.add("location", hearing.court.address)
    event.add("class", "PRIVATE")
    event.add("status", "CANCELLED" if hearing.status.value == "cancelled" else "CONFIRMED")
    cal.add_component(event)
    return cal.to_ical()
