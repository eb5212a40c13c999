"""filled seats: shifts.filled_seats, kept by triggers on signups, so seat summaries sum a column

Revision ID: 0018_filled_seats
Revises: 0017_api_tokens
Create Date: 2026-12-01 13:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018_filled_seats'
down_revision = '0017_api_tokens'
branch_labels = None
depends_on = None

# The statements as they stood when this revision was written (a migration must not change
# when the model's module does later).
SQLITE = (
    """CREATE TRIGGER signups_filled_seats_insert AFTER INSERT ON signups
    WHEN NEW.status = 'confirmed'
    BEGIN
        UPDATE shifts SET filled_seats = filled_seats + 1 WHERE id = NEW.shift_id;
    END""",
    """CREATE TRIGGER signups_filled_seats_delete AFTER DELETE ON signups
    WHEN OLD.status = 'confirmed'
    BEGIN
        UPDATE shifts SET filled_seats = filled_seats - 1 WHERE id = OLD.shift_id;
    END""",
    """CREATE TRIGGER signups_filled_seats_update AFTER UPDATE OF status, shift_id ON signups
    WHEN OLD.status IS NOT NEW.status OR OLD.shift_id IS NOT NEW.shift_id
    BEGIN
        UPDATE shifts SET filled_seats = filled_seats - 1
            WHERE id = OLD.shift_id AND OLD.status = 'confirmed';
        UPDATE shifts SET filled_seats = filled_seats + 1
            WHERE id = NEW.shift_id AND NEW.status = 'confirmed';
    END""",
)
POSTGRESQL = (
    """CREATE OR REPLACE FUNCTION signups_keep_filled_seats() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            IF OLD.status IS NOT DISTINCT FROM NEW.status AND OLD.shift_id = NEW.shift_id THEN
                RETURN NULL;
            END IF;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            IF OLD.status = 'confirmed' THEN
                UPDATE shifts SET filled_seats = filled_seats - 1 WHERE id = OLD.shift_id;
            END IF;
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
            IF NEW.status = 'confirmed' THEN
                UPDATE shifts SET filled_seats = filled_seats + 1 WHERE id = NEW.shift_id;
            END IF;
        END IF;
        RETURN NULL;
    END
    $$""",
    """CREATE TRIGGER signups_filled_seats
    AFTER INSERT OR DELETE OR UPDATE OF status, shift_id ON signups
    FOR EACH ROW EXECUTE FUNCTION signups_keep_filled_seats()""",
)
RECOUNT = """UPDATE shifts SET filled_seats = (
    SELECT count(*) FROM signups WHERE signups.shift_id = shifts.id AND signups.status = 'confirmed'
)"""


def upgrade():
    # A plain ADD COLUMN on both databases: a batch copy of shifts on SQLite would drop the old
    # table, and foreign keys on would take every signup with it.
    op.add_column('shifts', sa.Column('filled_seats', sa.Integer(), server_default='0', nullable=False))
    bind = op.get_bind()
    # Counted once, then kept: on PostgreSQL the table is locked for the count so no signup
    # changes between the count and the trigger.
    if bind.dialect.name == 'postgresql':
        op.execute('LOCK TABLE signups IN SHARE ROW EXCLUSIVE MODE')
    op.execute(RECOUNT)
    for statement in {'sqlite': SQLITE, 'postgresql': POSTGRESQL}.get(bind.dialect.name, ()):
        op.execute(statement)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS signups_filled_seats ON signups')
        op.execute('DROP FUNCTION IF EXISTS signups_keep_filled_seats()')
    elif bind.dialect.name == 'sqlite':
        for name in ('insert', 'delete', 'update'):
            op.execute(f'DROP TRIGGER IF EXISTS signups_filled_seats_{name}')
    op.drop_column('shifts', 'filled_seats')
