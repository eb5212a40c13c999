"""``flask --app wsgi outbox run | send | remind | digest | status``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from scheduler.extensions import db
from scheduler.notifications import dispatch
from scheduler.notifications.channels.webpush import generate_vapid_keys
from scheduler.notifications.outbox import counts
from scheduler.notifications.scheduled import send_digest, send_reminders
from scheduler.notifications.worker import Loop, send_once

outbox_cli = AppGroup("outbox", help="Deliver queued mail and queue reminders and digests.")


@outbox_cli.command("run")
@click.option("--once", is_flag=True, help="One round (jobs and sending), then exit.")
def run_command(once: bool) -> None:
    """Run the worker: send due mail, queue reminders and the daily digest, until stopped."""
    cfg = current_app.config
    poll, urgent = float(cfg["OUTBOX_POLL_SECONDS"]), float(cfg["OUTBOX_URGENT_POLL_SECONDS"])
    loop = Loop(poll_seconds=poll, urgent_seconds=urgent)
    loop.run(once=once, echo=click.echo)


@outbox_cli.command("send")
@click.option("--max-batches", type=int, default=None, help="Stop after this many batches.")
def send_command(max_batches: int | None) -> None:
    """Turn recorded intents into mail and send every message that is due now, then exit."""
    report = send_once(max_batches=max_batches)
    click.echo(f"outbox: {report.sent} sent, {report.retried} to retry, {report.failed} failed")


@outbox_cli.command("remind")
def remind_command() -> None:
    """Queue the reminders due now (safe to run as often as you like)."""
    n = send_reminders(db.session())
    db.session.commit()
    click.echo(f"reminders queued: {n}")


@outbox_cli.command("digest")
@click.option("--force", is_flag=True, help="Do not wait for DIGEST_HOUR (still once a day).")
def digest_command(force: bool) -> None:
    """Queue today's digest of open seats for coordinators (once per coordinator per day)."""
    n = send_digest(db.session(), force=force)
    db.session.commit()
    click.echo(f"digests queued: {n}")


@outbox_cli.command("status")
def status_command() -> None:
    """How many messages are pending, sending, sent and failed (and intents not yet mailed)."""
    for status, n in sorted(counts(db.session()).items()):
        click.echo(f"{status}: {n}")
    for status, n in sorted(dispatch.counts(db.session()).items()):
        click.echo(f"intents {status}: {n}")


push_cli = AppGroup("push", help="Web Push (notifications to phones and browsers).")


@push_cli.command("generate-vapid-keys")
def generate_vapid_keys_command() -> None:
    """Print a new VAPID key pair for VAPID_PRIVATE_KEY and VAPID_PUBLIC_KEY (nothing is stored)."""
    private, public = generate_vapid_keys()
    click.echo(f"VAPID_PRIVATE_KEY={private}")
    click.echo(f"VAPID_PUBLIC_KEY={public}")
    click.echo("Keep the private key secret; changing the keys ends every existing subscription.")
