"""``flask --app wsgi feeds rotate EMAIL``: a new feed link for someone who asks support."""

from __future__ import annotations

import click
from sqlalchemy import select

from scheduler.enums import FeedKind
from scheduler.extensions import db
from scheduler.feeds import tokens as feeds
from scheduler.feeds.web import feed_key
from scheduler.models import User
from scheduler.urls import base_url


@click.group("feeds")
def feeds_cli() -> None:
    """Calendar feed links."""


@feeds_cli.command("rotate")
@click.argument("email")
@click.option(
    "--kind",
    type=click.Choice([k.value for k in FeedKind]),
    default=FeedKind.PERSONAL.value,
    show_default=True,
)
def rotate(email: str, kind: str) -> None:
    """Issue a new feed token for EMAIL (the old link stops at once) and print the new URL."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no account with the email {email}")
    token = feeds.issue_token(db.session(), user=user, kind=FeedKind(kind), actor=None, key=feed_key())
    db.session.commit()
    click.echo(feeds.feed_url(base_url(), token))
