"""Every message the app sends, composed in the recipient's language and put in the outbox.

The handlers (``handlers.py``) call these when the worker turns an event into mail, in the
transaction that deletes the event's intent; each function only flushes.
Bodies name the role, court, time and courtroom: never the respondent's reference, private
notes or another volunteer's contact details.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.routing import BuildError

from scheduler.enums import Role, UserStatus
from scheduler.i18n import HEARING_KIND_NAMES, LANGUAGE_NAMES, SHIFT_ROLE_NAMES
from scheduler.models import Court, Hearing, Shift, Signup, User, coordinator_courts
from scheduler.notifications.compose import compose, when_text
from scheduler.notifications.ics import seat_ics
from scheduler.notifications.links import INVITATION_SALT, external_url, mail_domain, sign
from scheduler.notifications.outbox import enqueue
from scheduler.notifications.preferences import prefs_for_many
from scheduler.notifications.urgent import send_urgent
from scheduler.response.escalation import mark_reached
from scheduler.response.messages import INCIDENT_KIND_NAMES
from scheduler.types import utcnow
from scheduler.web.templating import court_time

if TYPE_CHECKING:  # the invitations model belongs to the matching area
    from scheduler.models import Invitation


def _queue(session: Session, *, user: User, kind: str, **fields: Any) -> None:
    """One message to one person, composed in their language from the template named after its kind."""
    enqueue(
        session, user=user, message=compose(kind=kind, template=kind, locale=user.locale, user=user, **fields)
    )


def _default_hours() -> list[int]:
    return list(current_app.config["REMINDER_HOURS"])


def hearing_link(hearing_id: int) -> str:
    try:
        return external_url("hearings.show_hearing", hearing_id=hearing_id)
    except BuildError:  # a build without the hearings pages
        return external_url("main.home")


def seat_link(shift_id: int) -> str:
    """The seat's page: what a volunteer may open (the hearing page is for coordinators only)."""
    return external_url("shifts.show_shift", shift_id=shift_id)


def seat_context(shift: Shift, *, staff: bool = False) -> dict:
    """What a message about a seat says; its link opens the seat page, or for staff the hearing.

    ``link`` is where the short copy on SMS, Signal or push points (``Composed.link``).
    """
    hearing = shift.hearing
    url = hearing_link(hearing.id) if staff else seat_link(shift.id)
    return {
        # Lazy: turned into words inside the recipient's forced locale, not the caller's.
        "role": SHIFT_ROLE_NAMES.get(shift.role.value, shift.role.value),
        "court": hearing.court,
        "hearing": hearing,
        "shift": shift,
        "hearing_url": url,
        "link": url,
    }


def _when(instant: datetime, court: Court) -> str:
    return when_text(instant, court)


# Accounts -----------------------------------------------------------------------------------


def account_approved(session: Session, *, user: User) -> None:
    _queue(
        session,
        user=user,
        kind="account_approved",
        subject=lambda: _("Your Accompany account is approved"),
    )


def password_reset(session: Session, *, user: User, link: str, minutes: int) -> None:
    _queue(
        session,
        user=user,
        kind="password_reset",
        subject=lambda: _("Choose a new password for Accompany"),
        link=link,
        minutes=minutes,
    )


def already_registered(session: Session, *, user: User, link: str) -> None:
    _queue(
        session,
        user=user,
        kind="already_registered",
        subject=lambda: _("You already have an Accompany account"),
        link=link,
    )


# Seats --------------------------------------------------------------------------------------


def _load_signups(session: Session, signup_ids: Iterable[int]) -> list[Signup]:
    ids = list(signup_ids)
    if not ids:
        return []
    return list(
        session.scalars(
            select(Signup)
            .where(Signup.id.in_(ids))
            .options(
                selectinload(Signup.user),
                selectinload(Signup.shift).selectinload(Shift.hearing).selectinload(Hearing.court),
            )
            .order_by(Signup.id)
        )
    )


def _tell_everyone_on(
    session: Session,
    *,
    signup_ids: Iterable[int],
    kind: str,
    subject: Callable[[dict], str],
    extra: Callable[[Signup], dict] | None = None,
) -> int:
    """One message per seat (seated or waitlisted), each with that seat's updated event."""
    count = 0
    domain = mail_domain()
    for signup in _load_signups(session, signup_ids):
        ctx = seat_context(signup.shift)
        ctx.update(signup=signup, **(extra(signup) if extra else {}))
        _queue(
            session,
            user=signup.user,
            kind=kind,
            subject=lambda c=ctx: subject(c),
            ics=seat_ics(session, signup=signup, domain=domain),
            **ctx,
        )
        count += 1
    return count


def _seat_words(c: dict) -> dict[str, object]:
    return {"role": c["role"], "court": c["court"].name, "when": _when(c["shift"].starts_at, c["court"])}


def hearing_changed(
    session: Session,
    *,
    signup_ids: Iterable[int],
    old_starts_at: datetime,
    old_court: Court | None = None,
    old_courtroom: str | None = None,
) -> int:
    """Tell everyone on the hearing (seated or waitlisted) it moved in time, court or courtroom."""

    def before(signup: Signup) -> dict:
        shift, hearing = signup.shift, signup.shift.hearing
        old_start = shift.starts_at - (hearing.starts_at - old_starts_at)
        room = hearing.courtroom if old_courtroom is None else old_courtroom
        return {"old_court": old_court or hearing.court, "old_start": old_start, "old_courtroom": room}

    return _tell_everyone_on(
        session,
        signup_ids=signup_ids,
        kind="hearing_changed",
        subject=lambda c: _("Hearing moved: %(role)s at %(court)s, now %(when)s", **_seat_words(c)),
        extra=before,
    )


def hearing_cancelled(session: Session, *, signup_ids: Iterable[int]) -> int:
    return _tell_everyone_on(
        session,
        signup_ids=signup_ids,
        kind="hearing_cancelled",
        subject=lambda c: _("Hearing cancelled: %(role)s at %(court)s, %(when)s", **_seat_words(c)),
    )


# How the change mail words each detail a volunteer with a seat sees, in the order it lists
# them: every field of VOLUNTEER_VISIBLE_FIELDS except the time and court, which the "hearing
# moved" message tells (tests/notifications/smtp/test_hearing_change_mail.py keeps the two in step).
DETAIL_LABELS = {
    "kind": _l("Kind of hearing"),
    "duration_minutes": _l("Expected length"),
    "courtroom": _l("Courtroom"),
    "judge": _l("Judge"),
    "languages": _l("Languages"),
    "date_confirmed": _l("Date confirmed"),
    "meeting_point": _l("Meeting point"),
    "public_notes": _l("Notes for volunteers"),
}


class _LanguageList:
    """Language names joined when the message is rendered, so in the recipient's language."""

    def __init__(self, codes: object) -> None:
        self.codes = [str(code) for code in codes] if isinstance(codes, list | tuple) else []

    def __str__(self) -> str:
        if not self.codes:
            return str(_l("(none)"))
        return ", ".join(str(LANGUAGE_NAMES.get(code, code)) for code in self.codes)


def _detail_value(name: str, value: object) -> object:
    """A changed value as the recipient reads it (lazy, so it is worded in their language)."""
    if name == "kind":
        return HEARING_KIND_NAMES.get(str(value), str(value))
    if name == "duration_minutes":
        return _l("%(num)s minutes", num=value)
    if name == "languages":
        return _LanguageList(value)
    if name == "date_confirmed":
        return _l("yes") if value else _l("no")
    return value or _l("(none)")


def hearing_details_changed(
    session: Session, *, signup_ids: Iterable[int], changes: dict[str, dict[str, object]]
) -> int:
    """Tell everyone on the hearing which details they rely on changed, old and new."""
    lines = [
        {
            "label": label,
            "old": _detail_value(name, changes[name].get("old")),
            "new": _detail_value(name, changes[name].get("new")),
        }
        for name, label in DETAIL_LABELS.items()
        if name in changes
    ]
    if not lines:
        return 0
    return _tell_everyone_on(
        session,
        signup_ids=signup_ids,
        kind="hearing_updated",
        subject=lambda c: _("Hearing details changed: %(role)s at %(court)s, %(when)s", **_seat_words(c)),
        extra=lambda _signup: {"changes": lines},
    )


def waitlist_promoted(session: Session, *, signup: Signup) -> None:
    signup = _load_signups(session, [signup.id])[0]
    ctx = seat_context(signup.shift)
    ctx.update(signup=signup)
    _queue(
        session,
        user=signup.user,
        kind="waitlist_promoted",
        subject=lambda: _(
            "You have a seat: %(role)s at %(court)s, %(when)s",
            role=ctx["role"],
            court=ctx["court"].name,
            when=_when(ctx["shift"].starts_at, ctx["court"]),
        ),
        ics=seat_ics(session, signup=signup, domain=mail_domain()),
        **ctx,
    )


def coordinators_for(session: Session, court_id: int) -> list[User]:
    """Coordinators scoped to the court; when nobody is, every unscoped coordinator and admin."""
    staff = (
        select(User)
        .where(User.role.in_((Role.COORDINATOR, Role.ADMIN)), User.status == UserStatus.APPROVED)
        .order_by(User.id)
    )
    scoped = list(
        session.scalars(
            staff.join(coordinator_courts, coordinator_courts.c.user_id == User.id).where(
                coordinator_courts.c.court_id == court_id
            )
        )
    )
    if scoped:
        return scoped
    has_scope = exists().where(coordinator_courts.c.user_id == User.id)
    return list(session.scalars(staff.where(~has_scope)))


def late_drop(session: Session, *, signup: Signup) -> int:
    """Alert the hearing's coordinators that a seat was given up close to the hearing."""
    signup = _load_signups(session, [signup.id])[0]
    ctx = seat_context(signup.shift, staff=True)
    recipients = coordinators_for(session, ctx["court"].id)
    prefs = prefs_for_many(session, [u.id for u in recipients], default_hours=_default_hours())
    count = 0
    for user in recipients:
        if not prefs[user.id].late_drops:
            continue
        _queue(
            session,
            user=user,
            kind="late_drop",
            optional_kind="late_drop",
            subject=lambda: _(
                "Late drop: %(role)s at %(court)s, %(when)s",
                role=ctx["role"],
                court=ctx["court"].name,
                when=_when(ctx["shift"].starts_at, ctx["court"]),
            ),
            volunteer_name=signup.user.display_name,
            reason=signup.drop_reason,
            **ctx,
        )
        count += 1
    return count


def invitation_links(invitation: Invitation) -> tuple[str, str]:
    """Signed accept and decline links: bound to the invitation's nonce, so they work once."""
    links = []
    for action in ("accept", "decline"):
        token = sign(INVITATION_SALT, {"i": invitation.id, "n": invitation.nonce, "a": action})
        links.append(external_url("notifications.respond_invitation", token=token))
    return links[0], links[1]


def invited(session: Session, *, invitation: Invitation) -> bool:
    """Invite someone to an open seat, with accept and decline links. False if they opted out."""
    user = session.get(User, invitation.user_id)
    shift = session.get(Shift, invitation.shift_id)
    assert user is not None and shift is not None
    prefs = prefs_for_many(session, [user.id], default_hours=_default_hours())[user.id]
    if not prefs.invitations or not invitation.nonce:
        return False
    ctx = seat_context(shift)
    accept_url, decline_url = invitation_links(invitation)
    # The short copy opens the invitation's own page (its answer needs the button there).
    ctx["link"] = accept_url
    max_age = timedelta(days=int(current_app.config["INVITATION_LINK_MAX_AGE_DAYS"]))
    _queue(
        session,
        user=user,
        kind="invitation",
        optional_kind="invitation",
        subject=lambda: _(
            "Can you come? %(role)s at %(court)s, %(when)s",
            role=ctx["role"],
            court=ctx["court"].name,
            when=_when(ctx["shift"].starts_at, ctx["court"]),
        ),
        accept_url=accept_url,
        decline_url=decline_url,
        expires_at=min(invitation.expires_at, utcnow() + max_age),
        **ctx,
    )
    return True


# Rapid response -----------------------------------------------------------------------------


def cant_make_it(session: Session, *, signup: Signup, promoted: bool, invited: int) -> int:
    """Tell the court's coordinators a seat holder cannot come today, and how the seat is being filled."""
    signup = _load_signups(session, [signup.id])[0]
    ctx = seat_context(signup.shift, staff=True)
    count = 0
    for user in coordinators_for(session, ctx["court"].id):
        _queue(
            session,
            user=user,
            kind="cant_make_it",
            subject=lambda: _(
                "Cannot come today: %(role)s at %(court)s, %(when)s",
                role=ctx["role"],
                court=ctx["court"].name,
                when=_when(ctx["shift"].starts_at, ctx["court"]),
            ),
            volunteer_name=signup.user.display_name,
            promoted=promoted,
            invited=invited,
            **ctx,
        )
        count += 1
    return count


def incident_alerts(session: Session, *, incident: Any, reaches: Iterable[Any], now: datetime) -> int:
    """One urgent alert per person reached (``scheduler.response.escalation.Reach``), in their language.

    Court, courtroom, time, kind and links only: never the respondent, nor the raiser's note.
    """
    hearing, court = incident.hearing, incident.court
    incident_url = external_url("response.show_incident", incident_id=incident.id)
    count = 0
    for reach in reaches:
        locale = reach.user.locale
        with force_locale(locale):
            kind = str(INCIDENT_KIND_NAMES[incident.kind.value])
            words = {"kind": kind, "court": court.name, "when": _when(hearing.starts_at, court)}
            subject = _("URGENT: %(kind)s at %(court)s, %(when)s", **words)
            text = render_template(
                "notifications/mail/urgent_alert.txt",
                kind=kind,
                court=court,
                hearing=hearing,
                when=words["when"],
                raised_at=court_time(incident.raised_at, court.timezone),
                incident_url=incident_url,
            )
        link = external_url("response.acknowledge_form", token=reach.token)
        handed = send_urgent(session, recipient=reach.user, subject=subject, text=text, link=link, now=now)
        mark_reached(reach.recipient, handed)
        count += len(handed)
    session.flush()
    return count
