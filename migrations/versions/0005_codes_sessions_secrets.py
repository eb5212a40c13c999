"""two-step codes used once, server-side sessions, secrets encrypted at rest

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-01 02:40:00

- two_factor_secrets.failed_attempts: wrong codes counted per account on the server.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("two_factor_secrets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_attempts", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("two_factor_secrets", schema=None) as batch_op:
        batch_op.drop_column("failed_attempts")
