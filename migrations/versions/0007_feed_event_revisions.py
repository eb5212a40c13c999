"""feed event revisions (SEQUENCE per calendar event)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 02:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    # Starts empty: a missing row is revision 0, so every SEQUENCE already published (the
    # hearing's version) stays as it is and only goes up from here.
    op.create_table('feed_revisions',
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('object_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'object_id', name=op.f('pk_feed_revisions'))
    )


def downgrade():
    op.drop_table('feed_revisions')
