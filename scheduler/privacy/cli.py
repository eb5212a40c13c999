"""``flask --app wsgi purge``: apply the retention rules now (the worker also runs it daily)."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from sqlalchemy.orm import Session

from scheduler.extensions import db
from scheduler.privacy import retention
from scheduler.types import utcnow


def purge_job(session: Session) -> retention.PurgeResult:
    """One purge with the configured retention periods (the outbox worker's daily job)."""
    return retention.purge(
        session,
        now=utcnow(),
        hearing_days=current_app.config["RETENTION_HEARING_DAYS"],
        pending_days=current_app.config["RETENTION_PENDING_ACCOUNT_DAYS"],
        feed_changes_keep=timedelta(hours=current_app.config["FEED_CHANGES_KEEP_HOURS"]),
        feed_cache_keep=timedelta(days=current_app.config["FEED_CACHE_KEEP_DAYS"]),
        feed_past_days=current_app.config["FEED_PAST_DAYS"],
        session_idle=timedelta(
            minutes=max(
                current_app.config["IDLE_TIMEOUT_COORDINATOR_MINUTES"],
                current_app.config["IDLE_TIMEOUT_VOLUNTEER_MINUTES"],
            )
        ),
    )


def run_purge() -> retention.PurgeResult:
    result = purge_job(db.session())
    db.session.commit()
    return result


@click.command("purge")
def purge_command() -> None:
    """Wipe private details of old hearings and remove accounts never approved."""
    result = run_purge()
    config = current_app.config
    click.echo(
        f"Private details wiped from {result.hearings_wiped} hearings older than "
        f"{config['RETENTION_HEARING_DAYS']} days; {result.pending_accounts_removed} accounts never "
        f"approved within {config['RETENTION_PENDING_ACCOUNT_DAYS']} days removed; "
        f"{result.reset_tokens_removed} spent password-reset links removed; "
        f"{result.feed_changes_removed} old calendar-change records removed; "
        f"{result.sessions_removed} ended sessions removed; "
        f"{result.feed_events_removed} unused rendered calendar events removed; "
        f"{result.feed_stamps_removed} expired shared calendar stamps removed; "
        f"{result.idempotency_keys_removed} API retry keys older than a day removed."
    )
