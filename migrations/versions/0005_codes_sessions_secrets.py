"""two-step codes used once, server-side sessions, secrets encrypted at rest

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-01 02:40:00

- two_factor_secrets.failed_attempts: wrong codes counted per account on the server.
- user_sessions: one row per signed-in session (cookies from before this revision no longer
  sign anyone in: everyone signs in once more).
"""

import sqlalchemy as sa
from alembic import op

import scheduler.types

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("two_factor_secrets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_attempts", sa.Integer(), server_default="0", nullable=False))

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
    with op.batch_alter_table("two_factor_secrets", schema=None) as batch_op:
        batch_op.drop_column("failed_attempts")
