"""casework: recurring check-in series, hearings awaiting a date, reports after hearings

Revision ID: 0016_casework
Revises: 0013_feed_event_cache
Create Date: 2026-12-01 09:49:21.890574

"""

from alembic import op
import sqlalchemy as sa
import scheduler.types


# revision identifiers, used by Alembic.
revision = "0016_casework"
down_revision = "0013_feed_event_cache"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "awaiting_dates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("court_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "master",
                "individual",
                "bond",
                "ice_checkin",
                "other",
                name="hearingkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("respondent_ref", sa.String(length=60), nullable=False),
        sa.Column("case_key", sa.String(length=32), nullable=False),
        sa.Column("previous_hearing_id", sa.Integer(), nullable=True),
        sa.Column("next_check_on", sa.Date(), nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", scheduler.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", scheduler.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('master', 'individual', 'bond', 'ice_checkin', 'other')",
            name=op.f("ck_awaiting_dates_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["court_id"], ["courts.id"], name=op.f("fk_awaiting_dates_court_id_courts"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_awaiting_dates_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["hearing_id"],
            ["hearings.id"],
            name=op.f("fk_awaiting_dates_hearing_id_hearings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["previous_hearing_id"],
            ["hearings.id"],
            name=op.f("fk_awaiting_dates_previous_hearing_id_hearings"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_awaiting_dates")),
    )
    with op.batch_alter_table("awaiting_dates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_awaiting_dates_case_key"), ["case_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_awaiting_dates_court_id"), ["court_id"], unique=False)
        batch_op.create_index("ix_awaiting_dates_open_check", ["resolved_at", "next_check_on"], unique=False)

    op.create_table(
        "hearing_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("court_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "master",
                "individual",
                "bond",
                "ice_checkin",
                "other",
                name="hearingkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("interval", sa.Integer(), nullable=False),
        sa.Column("until_on", sa.Date(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("local_time", sa.Time(), nullable=False),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.Column("weeks_ahead", sa.Integer(), nullable=False),
        sa.Column("template_hearing_id", sa.Integer(), nullable=True),
        sa.Column("case_key", sa.String(length=32), nullable=False),
        sa.Column("previous_series_id", sa.Integer(), nullable=True),
        sa.Column("ended", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", scheduler.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", scheduler.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('master', 'individual', 'bond', 'ice_checkin', 'other')",
            name=op.f("ck_hearing_series_kind_valid"),
        ),
        sa.CheckConstraint("weeks_ahead BETWEEN 1 AND 26", name=op.f("ck_hearing_series_weeks_ahead_range")),
        sa.ForeignKeyConstraint(
            ["court_id"], ["courts.id"], name=op.f("fk_hearing_series_court_id_courts"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_hearing_series_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["previous_series_id"],
            ["hearing_series.id"],
            name=op.f("fk_hearing_series_previous_series_id_hearing_series"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["template_hearing_id"],
            ["hearings.id"],
            name=op.f("fk_hearing_series_template_hearing_id_hearings"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hearing_series")),
    )
    with op.batch_alter_table("hearing_series", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hearing_series_case_key"), ["case_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_hearing_series_court_id"), ["court_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hearing_series_ended"), ["ended"], unique=False)

    op.create_table(
        "hearing_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("court_id", sa.Integer(), nullable=False),
        sa.Column("held_month", sa.String(length=7), nullable=False),
        sa.Column(
            "held",
            sa.Enum("happened", "postponed", "not_held", name="heldstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "outcome",
            sa.Enum(
                "unknown",
                "continued",
                "relief_granted",
                "removal_ordered",
                "case_closed",
                "other",
                name="hearingoutcome",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("interpreter_present", sa.Boolean(), nullable=True),
        sa.Column("interpreter_adequate", sa.Boolean(), nullable=True),
        sa.Column("ice_present", sa.Boolean(), nullable=True),
        sa.Column("judge", sa.String(length=120), nullable=False),
        sa.Column("courtroom", sa.String(length=40), nullable=False),
        sa.Column("staff_note", sa.Text(), nullable=False),
        sa.Column(
            "next_kind",
            sa.Enum(
                "master",
                "individual",
                "bond",
                "ice_checkin",
                "other",
                name="hearingkind",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("next_hearing_id", sa.Integer(), nullable=True),
        sa.Column("next_awaiting_id", sa.Integer(), nullable=True),
        sa.Column("created_at", scheduler.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "held IN ('happened', 'postponed', 'not_held')", name=op.f("ck_hearing_reports_held_valid")
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('unknown', 'continued', 'relief_granted', 'removal_ordered', 'case_closed', 'other')",
            name=op.f("ck_hearing_reports_outcome_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_hearing_reports_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["court_id"], ["courts.id"], name=op.f("fk_hearing_reports_court_id_courts"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["hearing_id"],
            ["hearings.id"],
            name=op.f("fk_hearing_reports_hearing_id_hearings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["next_awaiting_id"],
            ["awaiting_dates.id"],
            name=op.f("fk_hearing_reports_next_awaiting_id_awaiting_dates"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["next_hearing_id"],
            ["hearings.id"],
            name=op.f("fk_hearing_reports_next_hearing_id_hearings"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hearing_reports")),
        sa.UniqueConstraint("hearing_id", name=op.f("uq_hearing_reports_hearing_id")),
    )
    with op.batch_alter_table("hearing_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hearing_reports_author_id"), ["author_id"], unique=False)
        batch_op.create_index("ix_hearing_reports_court_month", ["court_id", "held_month"], unique=False)

    op.create_table(
        "series_occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("occurs_on", sa.Date(), nullable=False),
        sa.Column("hearing_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hearing_id"],
            ["hearings.id"],
            name=op.f("fk_series_occurrences_hearing_id_hearings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["hearing_series.id"],
            name=op.f("fk_series_occurrences_series_id_hearing_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series_occurrences")),
        sa.UniqueConstraint("hearing_id", name=op.f("uq_series_occurrences_hearing_id")),
        sa.UniqueConstraint("series_id", "occurs_on", name=op.f("uq_series_occurrences_series_id_occurs_on")),
    )


def downgrade():
    op.drop_table("series_occurrences")
    with op.batch_alter_table("hearing_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_hearing_reports_court_month")
        batch_op.drop_index(batch_op.f("ix_hearing_reports_author_id"))

    op.drop_table("hearing_reports")
    with op.batch_alter_table("hearing_series", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hearing_series_ended"))
        batch_op.drop_index(batch_op.f("ix_hearing_series_court_id"))
        batch_op.drop_index(batch_op.f("ix_hearing_series_case_key"))

    op.drop_table("hearing_series")
    with op.batch_alter_table("awaiting_dates", schema=None) as batch_op:
        batch_op.drop_index("ix_awaiting_dates_open_check")
        batch_op.drop_index(batch_op.f("ix_awaiting_dates_court_id"))
        batch_op.drop_index(batch_op.f("ix_awaiting_dates_case_key"))

    op.drop_table("awaiting_dates")
