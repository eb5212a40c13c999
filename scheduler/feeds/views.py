"""The feed URL calendar apps poll, the subscription page, and one-event downloads.

The feed route is anonymous by design (calendar apps cannot log in): the token in the path is
the only key. It never touches the session or Flask-Login, so no cookie is ever set, and it
answers a wrong token with the same bare 404 as a missing page.
"""

from __future__ import annotations

import time

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded, RequestLimit
from flask_limiter.util import get_remote_address
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from scheduler.enums import FeedKind
from scheduler.extensions import db, limiter
from scheduler.feeds import calendars as feed_calendars
from scheduler.feeds import content as feed_content
from scheduler.feeds import eventcache as feed_eventcache
from scheduler.feeds import stamps as feed_stamps
from scheduler.feeds import stampstore as feed_stampstore
from scheduler.feeds import tokens as feeds
from scheduler.feeds import web as feed_web
from scheduler.feeds.forms import FeedLinkForm, FeedSettingsForm
from scheduler.feeds.links import subscription_links
from scheduler.feeds.web import feed_key
from scheduler.models import Signup
from scheduler.types import utcnow
from scheduler.urls import base_url
from scheduler.web.security import approved_required, public

bp = Blueprint("feeds", __name__)

CALENDAR_TYPE = "text/calendar; charset=utf-8"
# No caching by shared proxies (the URL is a secret), no gzip or other rewriting on the way.
CACHE_CONTROL = "private, no-cache, no-transform"
KINDS = {"personal": FeedKind.PERSONAL, "open-seats": FeedKind.OPEN_SEATS}


def _plain(text: str, status: int, **headers: str) -> Response:
    return Response(text + "\n", status=status, mimetype="text/plain", headers=headers)


def _too_many(limit: RequestLimit) -> Response:
    retry = max(1, int(limit.reset_at - time.time()))
    return _plain("Too many requests", 429, **{"Retry-After": str(retry)})


@bp.errorhandler(RateLimitExceeded)
def _rate_limited(error: RateLimitExceeded) -> WerkzeugResponse:
    """Calendar apps get the plain 429 made in ``_too_many``, not the app's HTML error page."""
    response = error.response  # the one _too_many made; typed as werkzeug's sans-IO base
    return response if isinstance(response, WerkzeugResponse) else _plain("Too many requests", 429)


def _token_key() -> str:
    return "feed-token:" + feeds.hash_token((request.view_args or {}).get("token", ""))


def _miss_key() -> str:
    return "feed-miss:" + get_remote_address()


def _is_miss(response: Response) -> bool:
    """Only unknown tokens count per address: a guess, not a calendar polling its own feed."""
    return response.status_code == 404


@bp.get("/feeds/<token>.ics")
@public
@limiter.limit(lambda: current_app.config["FEED_RATE_LIMIT_TOKEN"], key_func=_token_key, on_breach=_too_many)
@limiter.limit(
    lambda: current_app.config["FEED_RATE_LIMIT_ADDRESS"],
    key_func=_miss_key,
    deduct_when=_is_miss,
    on_breach=_too_many,
)
def show_feed(token: str) -> Response:
    owner = feeds.resolve_token(db.session(), token)
    if owner is None:
        return _plain("Not found", 404)
    settings = feed_web.settings()
    now = utcnow()
    window = feed_content.Window.at(now, past_days=settings.past_days, cancelled_days=settings.cancelled_days)
    shared = feed_web.stamp_store(db.session())
    stamp = feed_stamps.current(
        db.session(),
        owner=owner,
        window=window,
        base_url=base_url(),
        settings=settings,
        cache=feed_web.stamp_cache(),
        shared=shared,
    )
    touched = feeds.note_use(db.session(), owner=owner, now=now)
    if feed_stampstore.keep(db.session(), shared) or touched:  # a stamp computed here, for every worker
        db.session.commit()
    response = Response(status=304) if _not_modified(stamp, owner) else _full_feed(owner, window, settings)
    response.set_etag(stamp.etag.strip('"'))
    response.last_modified = stamp.http_last_modified(now)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def _full_feed(
    owner: feeds.FeedOwner, window: feed_content.Window, settings: feed_content.FeedSettings
) -> Response:
    """The whole calendar, in the owner's language."""
    words = feed_web.words_for(owner.locale, owner.kind, coordinator=owner.is_coordinator)
    cache = feed_web.event_cache(db.session())
    body = feed_calendars.body(
        db.session(),
        owner=owner,
        window=window,
        base_url=base_url(),
        words=words,
        uid_domain=settings.uid_domain,
        cache=cache,
    )
    if feed_eventcache.keep(db.session(), cache):  # events rendered here, for every worker
        db.session.commit()
    response = Response(body, content_type=CALENDAR_TYPE)
    response.headers["Content-Disposition"] = 'inline; filename="accompany.ics"'
    return response


def _not_modified(stamp: feed_content.Stamp, owner: feeds.FeedOwner) -> bool:
    """If-None-Match wins (weak comparison, RFC 9110 13.1.2); else If-Modified-Since.

    A 304 to If-Modified-Since alone only when the newest change is strictly before the date
    the client sent, to the microsecond: a client whose copy is from the second of a change
    may have missed a second change in that second. The open-seats feed changes when seats
    fill up elsewhere, which no instant of its own rows records, so there only the ETag counts.
    """
    sent = request.headers.get("If-None-Match")
    if sent:
        # The usual poll sends back exactly the ETag it was given: no need to parse a list.
        return sent.strip() in (stamp.etag, "W/" + stamp.etag) or request.if_none_match.contains_weak(
            stamp.etag.strip('"')
        )
    since = request.if_modified_since
    if since is None or owner.kind == FeedKind.OPEN_SEATS:
        return False
    return stamp.unchanged_since(since)


@bp.get("/feeds/event/<int:shift_id>.ics")
@approved_required
def download_event(shift_id: int) -> Response:
    signup_id = db.session.scalar(
        select(Signup.id).where(Signup.shift_id == shift_id, Signup.user_id == current_user.id)
    )
    body = (
        feed_web.event_ics_for_signup(db.session(), signup_id=signup_id, base_url=base_url())
        if signup_id
        else None
    )
    if body is None:
        abort(404)
    response = Response(body, content_type=CALENDAR_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="accompany-{shift_id}.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/account/calendar")
@approved_required
def subscribe() -> str:
    return _page()


@bp.post("/account/calendar/settings")
@approved_required
def update_settings() -> str | tuple[str, int] | WerkzeugResponse:
    form = FeedSettingsForm()
    if not form.validate_on_submit():
        return _page(settings_form=form), 400
    feeds.update_settings(
        db.session(), user=current_user, alarm=form.alarm.data, show_waitlist=form.show_waitlist.data
    )
    db.session.commit()
    flash(_("Your calendar settings are saved. Calendar apps pick them up at their next refresh."), "success")
    return redirect(url_for("feeds.subscribe"))


@bp.post("/account/calendar/<any(personal, 'open-seats'):kind>/link")
@approved_required
def create_link(kind: str) -> WerkzeugResponse:
    """Make a new link, then redirect: the page shows it (derived again), a reload does not rotate."""
    if not FeedLinkForm().validate_on_submit():
        abort(400)
    feeds.issue_token(db.session(), user=current_user, kind=KINDS[kind], actor=current_user, key=feed_key())
    db.session.commit()
    flash(_("Your calendar link is ready. A link you had before has stopped working."), "success")
    return redirect(url_for("feeds.subscribe", _anchor=f"feed-{kind}"), code=303)


@bp.post("/account/calendar/<any(personal, 'open-seats'):kind>/off")
@approved_required
def turn_off(kind: str) -> WerkzeugResponse:
    if not FeedLinkForm().validate_on_submit():
        abort(400)
    if feeds.revoke_token(db.session(), user=current_user, kind=KINDS[kind], actor=current_user):
        db.session.commit()
        flash(_("The calendar link is turned off. Calendar apps using it will stop updating."), "success")
    return redirect(url_for("feeds.subscribe"))


def _page(*, settings_form: FeedSettingsForm | None = None) -> str:
    if settings_form is None:
        settings_form = FeedSettingsForm(
            formdata=None, alarm=current_user.feed_alarm, show_waitlist=current_user.feed_show_waitlist
        )
    key = feed_key()
    feeds_state = []
    for slug, kind in KINDS.items():
        token = feeds.current_token(db.session(), user=current_user, kind=kind, key=key)
        feeds_state.append(
            {
                "slug": slug,
                "kind": kind,
                "token": feeds.active_token(db.session(), user=current_user, kind=kind),
                "links": subscription_links(feeds.feed_url(base_url(), token)) if token else None,
            }
        )
    return render_template(
        "feeds/subscribe.html", settings_form=settings_form, link_form=FeedLinkForm(), feeds_state=feeds_state
    )
