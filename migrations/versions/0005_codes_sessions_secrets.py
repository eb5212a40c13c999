"""two-step codes used once, server-side sessions, secrets encrypted at rest

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-01 02:40:00

- two_factor_secrets.failed_attempts: wrong codes counted per account on the server.
- user_sessions: one row per signed-in session (cookies from before this revision no longer
  sign anyone in: everyone signs in once more).
- two_factor_secrets.secret (clear) becomes secret_ciphertext, Fernet-encrypted with the
  app's SECRETS_KEY (the newest key); the rows already there are encrypted here. Downgrading
  decrypts them back.
"""

import sqlalchemy as sa
from alembic import op
from flask import current_app

import scheduler.types

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None

_secrets = sa.table(
    "two_factor_secrets",
    sa.column("user_id", sa.Integer),
    sa.column("secret", sa.String),
    sa.column("secret_ciphertext", sa.String),
)


def _box():
    """The running app's SecretBox, built from SECRETS_KEY at start-up (scheduler/secretbox.py)."""
    return current_app.extensions["secret_box"]


def _encrypt_secrets():
    with op.batch_alter_table("two_factor_secrets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("secret_ciphertext", sa.String(length=255), nullable=True))
    conn = op.get_bind()
    box = _box()
    for user_id, secret in conn.execute(sa.select(_secrets.c.user_id, _secrets.c.secret)).all():
        conn.execute(
            _secrets.update()
            .where(_secrets.c.user_id == user_id)
            .values(secret_ciphertext=box.encrypt(secret))
        )
    with op.batch_alter_table("two_factor_secrets", schema=None) as batch_op:
        batch_op.alter_column("secret_ciphertext", existing_type=sa.String(length=255), nullable=False)
        batch_op.drop_column("secret")


def _decrypt_secrets():
    with op.batch_alter_table("two_factor_secrets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("secret", sa.String(length=64), nullable=True))
    conn = op.get_bind()
    box = _box()
    rows = conn.execute(sa.select(_secrets.c.user_id, _secrets.c.secret_ciphertext)).all()
    for user_id, ciphertext in rows:
        conn.execute(
            _secrets.update().where(_secrets.c.user_id == user_id).values(secret=box.decrypt(ciphertext))
        )
    with op.batch_alter_table("two_factor_secrets", schema=None) as batch_op:
        batch_op.alter_column("secret", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column("secret_ciphertext")


def upgrade():
    with op.batch_alter_table("two_factor_secrets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_attempts", sa.Integer(), server_default="0", nullable=False))
    _encrypt_secrets()

    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", scheduler.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", scheduler.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", scheduler.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))
    op.drop_table("user_sessions")
    _decrypt_secrets()
    with op.batch_alter_table("two_factor_secrets", schema=None) as batch_op:
        batch_op.drop_column("failed_attempts")
