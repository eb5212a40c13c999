"""Second factor: a TOTP secret per person, one-time recovery codes, and site-wide settings."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.extensions import Base
from scheduler.models._columns import created_at, updated_at
from scheduler.types import UTCDateTime


class TwoFactorSecret(Base):
    """A person's authenticator-app secret; it counts only once confirmed with a first code."""

    __tablename__ = "two_factor_secrets"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # The base32 TOTP secret (RFC 6238), Fernet-encrypted with SECRETS_KEY (scheduler/secretbox.py):
    # the app decrypts it to compute codes; a copy of the database alone does not reveal it.
    secret_ciphertext: Mapped[str] = mapped_column(sa.String(255))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The last 30-second step accepted: a code seen once is refused afterwards (no replay).
    last_used_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Wrong codes since the last password step or good code; kept here, not in the cookie, so a
    # replayed older cookie brings no fresh tries (scheduler/web/two_step.py).
    failed_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = created_at()


class RecoveryCode(Base):
    """A single-use code for when the phone is lost. Only the SHA-256 is kept (codes are random)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = created_at()
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SiteSetting(Base):
    """A setting admins change in the app (not in config files), e.g. 2FA for everyone."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = updated_at()
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


# The stable domain part of calendar UIDs (scheduler/installation.py).
UID_DOMAIN_KEY = "uid_domain"


def new_uid_domain() -> str:
    """A name of this installation's own, under a reserved top-level domain that never resolves."""
    return f"{secrets.token_hex(8)}.accompany.invalid"


@sa.event.listens_for(SiteSetting.__table__, "after_create")
def _seed_uid_domain(target: sa.Table, connection: sa.Connection, **kw: Any) -> None:
    """A schema made by ``create_all`` (tests, scripts) gets its UID domain at once, like a migrated one."""
    connection.execute(sa.insert(target).values(key=UID_DOMAIN_KEY, value=new_uid_domain()))
