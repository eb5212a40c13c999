"""feed links: derived feed tokens (generation) and the installation's calendar UID domain

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 02:50:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

import scheduler.types

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('generation', sa.Integer(), nullable=True))
    # The stable domain part of calendar UIDs (scheduler/services/installation.py): made once,
    # here, so every worker agrees on it from the start. UIDs no longer follow BASE_URL.
    site_settings = sa.table(
        'site_settings',
        sa.column('key', sa.String),
        sa.column('value', sa.JSON),
        sa.column('updated_at', scheduler.types.UTCDateTime()),
    )
    bind = op.get_bind()
    exists = bind.execute(sa.select(site_settings.c.key).where(site_settings.c.key == 'uid_domain')).first()
    if exists is None:
        op.bulk_insert(
            site_settings,
            [{
                'key': 'uid_domain',
                'value': f'{secrets.token_hex(8)}.accompany.invalid',
                'updated_at': scheduler.types.utcnow(),
            }],
        )


def downgrade():
    op.execute("DELETE FROM site_settings WHERE key = 'uid_domain'")
    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.drop_column('generation')
