"""feed event cache: rendered VEVENTs shared by every worker and kept across restarts

Revision ID: 0013_feed_event_cache
Revises: 0012_page_indexes
Create Date: 2026-12-01 10:00:00

Starts empty: feeds fill it as they render (scheduler/feeds/eventcache.py); the daily purge
(scheduler/privacy/retention.py) removes rows whose event is gone or has a newer revision.
"""
from alembic import op
import sqlalchemy as sa

import scheduler.types


# revision identifiers, used by Alembic.
revision = '0013_feed_event_cache'
down_revision = '0012_page_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feed_event_cache',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('tzid', sa.String(length=64), nullable=False),
    sa.Column('first_year', sa.Integer(), nullable=False),
    sa.Column('last_year', sa.Integer(), nullable=False),
    sa.Column('ics', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', scheduler.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_feed_event_cache'))
    )
    with op.batch_alter_table('feed_event_cache', schema=None) as batch_op:
        batch_op.create_index('ix_feed_event_cache_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_feed_event_cache_kind_object', ['kind', 'object_id', 'revision'], unique=False)


def downgrade():
    with op.batch_alter_table('feed_event_cache', schema=None) as batch_op:
        batch_op.drop_index('ix_feed_event_cache_kind_object')
        batch_op.drop_index('ix_feed_event_cache_created_at')
    op.drop_table('feed_event_cache')
