"""shift probe index: shifts(hearing_id, status, starts_at) replaces shifts(hearing_id, status)

Revision ID: 0021_shift_probe_index
Revises: 0020_shift_local_week
Create Date: 2026-12-01 16:00:00

On a database without statistics yet (fresh from a bulk load, before autovacuum analyses it)
the open-seat lists probed each coming hearing's shifts with a bitmap of (hearing_id, status)
ANDed with one of the whole starts_at range, once per hearing: /shifts passed the statement
timeout at 50,000 hearings (bench/explain_pages.py on a --no-analyze dataset). With starts_at
in the index the probe is one range. The old index is a prefix of the new one: nothing loses.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021_shift_probe_index'
down_revision = '0020_shift_local_week'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_shifts_hearing_id_status_starts_at', 'shifts', ['hearing_id', 'status', 'starts_at'], unique=False
    )
    op.drop_index('ix_shifts_hearing_id_status', table_name='shifts')


def downgrade():
    op.create_index('ix_shifts_hearing_id_status', 'shifts', ['hearing_id', 'status'], unique=False)
    op.drop_index('ix_shifts_hearing_id_status_starts_at', table_name='shifts')
