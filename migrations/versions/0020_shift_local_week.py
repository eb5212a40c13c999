"""shift local week: where each shift falls in its court's local week, so weekly windows filter in SQL

Revision ID: 0020_shift_local_week
Revises: 0019_feed_stamp_cache
Create Date: 2026-12-01 15:00:00

shifts.local_week_start and local_week_end: seconds from Monday 00:00 in the court's zone, both
counted from the midnight starting the shift's local day (scheduler/domain/timezones.py,
week_seconds). From now on the ORM keeps them (scheduler/models/local_week.py); this fills the
shifts already there. NULL stays valid: "not known", which the recommendations let through.
"""

from datetime import UTC
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import scheduler.types

# revision identifiers, used by Alembic.
revision = "0020_shift_local_week"
down_revision = "0019_feed_stamp_cache"
branch_labels = None
depends_on = None

# The computation as it stood when this revision was written (a migration must not change when
# the model's module does later): by the wall clock, whole seconds, floored.
POSTGRESQL_FILL = """
UPDATE shifts SET
    local_week_start = local.base + floor(extract(epoch FROM local.s::time))::int,
    local_week_end = local.base + (local.e::date - local.s::date) * 86400
        + floor(extract(epoch FROM local.e::time))::int
FROM (
    SELECT shifts.id,
           (extract(isodow FROM shifts.starts_at AT TIME ZONE courts.timezone)::int - 1) * 86400 AS base,
           shifts.starts_at AT TIME ZONE courts.timezone AS s,
           shifts.ends_at AT TIME ZONE courts.timezone AS e
    FROM shifts
    JOIN hearings ON hearings.id = shifts.hearing_id
    JOIN courts ON courts.id = hearings.court_id
) AS local
WHERE shifts.id = local.id
"""


def _week_seconds(starts_at, ends_at, tz_name):
    tz = ZoneInfo(tz_name)
    start = starts_at.astimezone(tz)
    end = ends_at.astimezone(tz)
    base = start.weekday() * 86400

    def seconds(t):
        return t.hour * 3600 + t.minute * 60 + t.second

    return base + seconds(start.time()), base + (end.date() - start.date()).days * 86400 + seconds(end.time())


def upgrade():
    # Plain ADD COLUMN: a batch copy of shifts on SQLite would cascade-delete every signup.
    op.add_column("shifts", sa.Column("local_week_start", sa.Integer(), nullable=True))
    op.add_column("shifts", sa.Column("local_week_end", sa.Integer(), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(POSTGRESQL_FILL)
        return
    shifts = sa.table(
        "shifts",
        sa.column("id", sa.Integer()),
        sa.column("hearing_id", sa.Integer()),
        sa.column("starts_at", scheduler.types.UTCDateTime()),
        sa.column("ends_at", scheduler.types.UTCDateTime()),
        sa.column("local_week_start", sa.Integer()),
        sa.column("local_week_end", sa.Integer()),
    )
    hearings = sa.table("hearings", sa.column("id", sa.Integer()), sa.column("court_id", sa.Integer()))
    courts = sa.table("courts", sa.column("id", sa.Integer()), sa.column("timezone", sa.String()))
    rows = bind.execute(
        sa.select(shifts.c.id, shifts.c.starts_at, shifts.c.ends_at, courts.c.timezone)
        .join(hearings, hearings.c.id == shifts.c.hearing_id)
        .join(courts, courts.c.id == hearings.c.court_id)
    ).all()
    values = []
    for shift_id, starts_at, ends_at, tz_name in rows:
        start, end = _week_seconds(starts_at.astimezone(UTC), ends_at.astimezone(UTC), tz_name)
        values.append({"shift_id": shift_id, "start": start, "end": end})
    for i in range(0, len(values), 1000):
        bind.execute(
            shifts.update()
            .where(shifts.c.id == sa.bindparam("shift_id"))
            .values(local_week_start=sa.bindparam("start"), local_week_end=sa.bindparam("end")),
            values[i : i + 1000],
        )


def downgrade():
    op.drop_column("shifts", "local_week_end")
    op.drop_column("shifts", "local_week_start")
