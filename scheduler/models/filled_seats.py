"""`shifts.filled_seats`: each shift's confirmed signups, kept by the database itself.

Every summary of seats (the dashboard's week, the month calendar, open-seat lists, the
recommendations, the digest) used to count each shift's confirmed signups with a correlated
count, so a week's summary at 50,000 hearings ran thousands of index probes (issue 18 item 1).
The count is stored instead. It is kept by triggers rather than by the services because
signups change in many places (claims, drops, hand-overs, the roster, check-ins, erasure, a
user's or a shift's deletion cascading to its signups, bulk loads) and a trigger sees every one
of them, ORM or not, in the same transaction as the change.

The column is for SQL: a Shift object loaded before a signup changed keeps the old number.
"""

from __future__ import annotations

import sqlalchemy as sa

# 'confirmed' below is SignupStatus.CONFIRMED as stored (tests/shifts/test_filled_seats.py).

# One statement per entry: SQLite's driver runs one statement per execute.
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

# Sets every shift's count from its signups: after a bulk load with the triggers off, or to
# check nothing drifted (the migration fills the column with it).
RECOUNT = """UPDATE shifts SET filled_seats = (
    SELECT count(*) FROM signups WHERE signups.shift_id = shifts.id AND signups.status = 'confirmed'
)"""


def attach(signups: sa.Table) -> None:
    """Create the triggers whenever the signups table is created (create_all: tests, a new
    embedded database, the bench's datasets); the migration creates the same ones."""
    for dialect, statements in (("sqlite", SQLITE), ("postgresql", POSTGRESQL)):
        for statement in statements:
            sa.event.listen(signups, "after_create", sa.DDL(statement).execute_if(dialect=dialect))
