"""feed stamp cache: feed ETags shared by every worker and kept across restarts

Revision ID: 0019_feed_stamp_cache
Revises: 0018_filled_seats
Create Date: 2026-12-01 14:00:00

Starts empty: feed polls fill it when a worker's memory misses (scheduler/feeds/stampstore.py);
the daily purge (scheduler/privacy/retention.py) removes rows past their expiry.
"""
import sqlalchemy as sa
from alembic import op

import scheduler.types

# revision identifiers, used by Alembic.
revision = '0019_feed_stamp_cache'
down_revision = '0018_filled_seats'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feed_stamp_cache',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('etag', sa.String(length=80), nullable=False),
    sa.Column('last_modified', scheduler.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', scheduler.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_feed_stamp_cache'))
    )
    with op.batch_alter_table('feed_stamp_cache', schema=None) as batch_op:
        batch_op.create_index('ix_feed_stamp_cache_expires_at', ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('feed_stamp_cache', schema=None) as batch_op:
        batch_op.drop_index('ix_feed_stamp_cache_expires_at')
    op.drop_table('feed_stamp_cache')
