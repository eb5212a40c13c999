"""Render a message's subject, text and HTML in the recipient's language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import render_template
from flask_babel import force_locale, format_date, get_locale

from scheduler.domain.timezones import to_local
from scheduler.models import Court, User
from scheduler.notifications.links import UNSUBSCRIBE_SALT, external_url, sign
from scheduler.notifications.outbox import Composed
from scheduler.notifications.preferences import OPTIONAL_KINDS
from scheduler.web.templating import court_time


def when_text(instant: datetime, court: Court) -> str:
    """Day and time at the court, e.g. "Thu, Mar 7, 2030, 7:15 AM CST" (in the forced locale)."""
    local = to_local(instant, court.timezone)
    day = format_date(local.date(), "EEE, " + get_locale().date_formats["medium"].pattern)
    return f"{day}, {court_time(instant, court.timezone)}"


def unsubscribe_url(user: User, kind: str) -> str:
    return external_url("notifications.unsubscribe", token=sign(UNSUBSCRIBE_SALT, {"u": user.id, "k": kind}))


def compose(
    *,
    kind: str,
    template: str,
    locale: str,
    subject: Callable[[], str],
    user: User | None = None,
    optional_kind: str | None = None,
    ics: tuple[bytes, str, str] | None = None,
    **context: Any,
) -> Composed:
    """Subject and both bodies under the recipient's locale.

    ``subject`` is a callable so its gettext runs inside the forced locale. An optional kind adds
    an unsubscribe link to the footer and a List-Unsubscribe header (one click turns it off).
    """
    # Tells mail clients (and screen readers) which language the message is in.
    headers: dict[str, str] = {"Content-Language": locale}
    unsub = None
    if optional_kind is not None and user is not None:
        assert optional_kind in OPTIONAL_KINDS
        unsub = unsubscribe_url(user, optional_kind)
        headers["List-Unsubscribe"] = f"<{unsub}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    context.update(
        recipient=user,
        unsubscribe_url=unsub,
        preferences_url=external_url("notifications.edit_preferences"),
        home_url=external_url("main.home"),
        when=when_text,
    )
    with force_locale(locale):
        text = render_template(f"notifications/mail/{template}.txt", **context)
        html = render_template(f"notifications/mail/{template}.html", **context)
        subj = subject()
    content, filename, method = ics if ics else (None, None, None)
    return Composed(
        kind=kind,
        subject=" ".join(subj.split()),
        text=text.strip() + "\n",
        html=html,
        headers=headers,
        ics=content,
        ics_filename=filename,
        ics_method=method,
        link=str(context.get("link") or context["home_url"]),
    )
