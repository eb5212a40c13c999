"""Command-line tools: ``flask --app wsgi seed-demo | users create | courts import | secrets rotate``."""

from __future__ import annotations

from pathlib import Path

import click
import pyotp
from cryptography.fernet import Fernet
from flask import Flask, current_app
from sqlalchemy import func, select

from scheduler.accounts import registry as accounts
from scheduler.accounts.registry import PasswordRejected
from scheduler.courts import catalogue as court_service
from scheduler.demo import seed as demo
from scheduler.enums import Role
from scheduler.errors import ServiceError
from scheduler.extensions import db, secret_box
from scheduler.models import Court, User
from scheduler.models.twofactor import TwoFactorSecret
from scheduler.notifications.channels import phones
from scheduler.secretbox import SecretUnreadable
from scheduler.twofactor import secrets as twofactor

BUNDLED_COURTS = Path(__file__).parent / "data" / "immigration_courts.csv"


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(demo_code)
    app.cli.add_command(users_cli)
    app.cli.add_command(courts_cli)
    app.cli.add_command(secrets_cli)


@click.group("secrets")
def secrets_cli() -> None:
    """Keys that encrypt stored secrets (SECRETS_KEY)."""


@secrets_cli.command("generate-key")
def generate_key() -> None:
    """Print a new random key for SECRETS_KEY (nothing is stored)."""
    click.echo(Fernet.generate_key().decode())


@secrets_cli.command("rotate")
def rotate_secrets() -> None:
    """Re-encrypt every stored TOTP secret and phone number with the newest key (the first in SECRETS_KEY)."""
    try:
        changed = twofactor.reencrypt_secrets(db.session(), box=secret_box())
        changed += phones.reencrypt_numbers(db.session(), box=secret_box())
    except SecretUnreadable as exc:
        db.session.rollback()
        raise click.ClickException(
            "a stored secret opens with none of the keys in SECRETS_KEY; nothing was changed. "
            "Put back the key it was written with (after the new one) and run again."
        ) from exc
    db.session.commit()
    click.echo(f"{changed} secrets re-encrypted with the newest key. Older keys can now be removed.")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def seed_demo(if_empty: bool) -> None:
    """Load the bundled courts and a demo network, then print the demo logins."""
    if current_app.config["ENV"] == "production":
        raise click.ClickException("seed-demo is for trying the app; it refuses to run in production.")
    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        click.echo("The database already has data; demo data not loaded.")
        demo.print_logins(click.echo)
        return
    ensure_courts()
    result = demo.seed(db.session(), box=secret_box())
    db.session.commit()
    click.echo(
        f"Demo data loaded: {result.volunteers} volunteers, {result.hearings} hearings, "
        f"{result.signups} signups."
    )
    demo.print_logins(click.echo)


@click.command("demo-code")
@click.argument("email")
def demo_code(email: str) -> None:
    """Print the current two-step code of a demo staff account (never in production)."""
    if current_app.config["ENV"] == "production":
        raise click.ClickException("demo-code is for trying the app; it refuses to run in production.")
    if email.strip().lower() not in demo.DEMO_STAFF:
        raise click.ClickException("demo-code only works for the demo staff accounts.")
    user = accounts.find_user_by_email(db.session(), email)
    secret = db.session.get(TwoFactorSecret, user.id) if user else None
    if secret is None or secret.confirmed_at is None:
        raise click.ClickException(
            "this demo account has no two-step secret; run seed-demo on an empty database"
        )
    click.echo(pyotp.TOTP(secret_box().decrypt(secret.secret_ciphertext)).now())


def ensure_courts() -> None:
    """Load the bundled court list when there are no courts yet (first setup)."""
    if db.session.scalar(select(func.count()).select_from(Court)):
        return
    result = court_service.import_courts(db.session(), text=BUNDLED_COURTS.read_text("utf-8"), actor=None)
    db.session.commit()
    click.echo(f"Loaded {result.created} courts.")


@click.group("users")
def users_cli() -> None:
    """Manage accounts."""


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.VOLUNTEER.value)
@click.option("--name", "display_name", default=None, help="Display name (defaults to the email).")
@click.option(
    "--password",
    default=None,
    help="Asked for (hidden) when not given; avoid passing it on a shared machine's command line.",
)
def create_user(email: str, role: str, display_name: str | None, password: str | None) -> None:
    """Create an approved account with a role."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(
            db.session(),
            email=email,
            display_name=display_name or email.split("@")[0],
            password=password,
            role=Role(role),
            min_length=current_app.config["PASSWORD_MIN_LENGTH"],
        )
    except PasswordRejected as exc:
        raise click.ClickException(
            "password refused: " + ", ".join(p.value.replace("_", " ") for p in exc.problems)
        ) from exc
    except ServiceError as exc:
        raise click.ClickException("an account with this email already exists") from exc
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")


@click.group("courts")
def courts_cli() -> None:
    """Manage courts and ICE offices."""


@courts_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_courts(file: Path) -> None:
    """Add or update courts from a CSV (code,name,city,state,address,timezone[,kind,notes])."""
    try:
        text = file.read_text("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.ClickException("the file is not UTF-8 text") from exc
    result = court_service.import_courts(db.session(), text=text, actor=None)
    if result.errors:
        for error in result.errors:
            click.echo(f"line {error.line}: {error.message}", err=True)
        raise click.ClickException("nothing imported: fix the lines above and run again")
    db.session.commit()
    click.echo(f"{result.created} courts added, {result.updated} updated.")
