"""Bulk import: preview every row, then commit all rows or none."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from scheduler.domain.hearing_import import COLUMNS
from scheduler.enums import Role
from scheduler.errors import ServiceError
from scheduler.extensions import db
from scheduler.hearings import importing as hearing_import
from scheduler.models import AuditEvent, Court, FeedChange, Hearing, HearingLanguage, Shift
from scheduler.types import utcnow
from tests.factories import make_court, make_hearing, make_user


def csv_text(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def row(n: int, court: str = "CHI", **changes: str) -> dict[str, str]:
    day = (utcnow() + timedelta(days=10 + n % 60)).date().isoformat()
    values = {
        "court": court,
        "date": day,
        "time": f"{8 + n % 8:02d}:{(n * 5) % 60:02d}",
        "kind": "master",
        "languages": "es",
        "respondent_ref": f"Person {n}",
        "accompaniers": "2",
        "drivers": "1",
    }
    values.update(changes)
    return values


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def coordinator(app):
    make_court(name="Chicago Immigration Court", code="CHI")
    return make_user(role=Role.COORDINATOR)


def test_two_hundred_rows_preview_then_commit(app, coordinator) -> None:
    text = csv_text([row(n) for n in range(200)])
    preview = hearing_import.preview_import(db.session, actor=coordinator, text=text, now=utcnow())
    assert preview.can_commit and len(preview.rows) == 200
    assert count(Hearing) == 0  # a preview writes nothing

    written = hearing_import.commit_import(db.session, actor=coordinator, text=text, now=utcnow())
    db.session.commit()
    assert written == 200
    assert count(Hearing) == 200 and count(Shift) == 400 and count(HearingLanguage) == 200
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "hearing.imported")) == 200
    stored = db.session.scalar(select(Hearing).where(Hearing.respondent_ref == "Person 7"))
    assert stored.version == 1 and stored.court.code == "CHI"
    assert {s.role.value for s in stored.shifts} == {"accompanier", "driver"}


def test_preview_lists_every_error_and_commit_writes_nothing(app, coordinator) -> None:
    rows = [
        row(1),
        row(2, court="Atlantis"),
        row(3, date="2020-01-01"),
        row(4, respondent_ref="A 123 456 789"),
    ]
    rows.append(row(5, accompaniers="30"))
    text = csv_text(rows)
    preview = hearing_import.preview_import(db.session, actor=coordinator, text=text, now=utcnow())
    assert [dict(r.errors) for r in preview.rows] == [
        {},
        {"court": "unknown_court"},
        {"date": "in_past"},
        {"respondent_ref": "a_number"},
        {"accompaniers": "bad_count"},
    ]
    with pytest.raises(ServiceError):
        hearing_import.commit_import(db.session, actor=coordinator, text=text, now=utcnow())
    assert count(Hearing) == 0


def test_duplicates_are_skipped_unless_ticked(app, coordinator) -> None:
    first = row(1)
    preview_text = csv_text([first, dict(first), row(2)])
    preview = hearing_import.preview_import(db.session, actor=coordinator, text=preview_text, now=utcnow())
    assert [r.duplicate_of for r in preview.rows] == [None, 2, None]

    assert hearing_import.commit_import(db.session, actor=coordinator, text=preview_text, now=utcnow()) == 2
    db.session.commit()
    again = hearing_import.preview_import(
        db.session, actor=coordinator, text=csv_text([row(2)]), now=utcnow()
    )
    assert again.rows[0].duplicate_of == 0  # already stored
    written = hearing_import.commit_import(
        db.session,
        actor=coordinator,
        text=csv_text([row(2)]),
        now=utcnow(),
        include_duplicates=frozenset({2}),
    )
    assert written == 1


def test_courts_outside_the_coordinators_scope_are_unknown(app) -> None:
    mine = make_court(name="Mine", code="MINE")
    make_court(name="Theirs", code="THEIRS")
    scoped = make_user(role=Role.COORDINATOR, courts=(mine,))
    text = csv_text([row(1, court="MINE"), row(2, court="THEIRS")])
    preview = hearing_import.preview_import(db.session, actor=scoped, text=text, now=utcnow())
    assert [dict(r.errors) for r in preview.rows] == [{}, {"court": "unknown_court"}]


def test_a_stored_hearing_is_a_duplicate_by_court_time_and_person(app, coordinator) -> None:
    text = csv_text([row(3)])
    first = hearing_import.preview_import(db.session, actor=coordinator, text=text, now=utcnow()).rows[0]
    assert first.duplicate_of is None
    chi = db.session.scalar(select(Court).where(Court.code == "CHI"))
    make_hearing(court=chi, starts_at=first.plan.starts_at, respondent_ref="person 3")
    again = hearing_import.preview_import(db.session, actor=coordinator, text=text, now=utcnow())
    assert again.rows[0].duplicate_of == 0


def _statements(fn) -> list[str]:
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return seen


@pytest.mark.parametrize("rows", [100, 300])
def test_the_commit_writes_a_handful_of_statements_per_hundred_rows(app, coordinator, rows) -> None:
    """Batches of 100 rows, each a few multi-row inserts, on SQLite as on PostgreSQL."""
    text = csv_text([row(n) for n in range(rows)])
    seen = _statements(
        lambda: hearing_import.commit_import(db.session, actor=coordinator, text=text, now=utcnow())
    )
    writes = [s for s in seen if s.lstrip().upper().startswith("INSERT")]
    batches = rows // 100
    # Hearings, shifts, languages, history, and one feed-journal row per batch.
    assert len(writes) <= 5 * batches, writes[:8]
    assert len(seen) - len(writes) <= 6  # reading the courts, the duplicates, the actor
    assert count(Hearing) == rows and count(Shift) == 2 * rows


def test_the_commit_reports_its_progress_after_each_batch(app, coordinator) -> None:
    text = csv_text([row(n) for n in range(250)])
    noted: list[tuple[int, int]] = []
    hearing_import.commit_import(
        db.session, actor=coordinator, text=text, now=utcnow(), progress=lambda d, t: noted.append((d, t))
    )
    assert noted == [(100, 250), (200, 250), (250, 250)]


def test_a_failing_batch_leaves_nothing_written(app, coordinator, monkeypatch) -> None:
    text = csv_text([row(n) for n in range(250)])
    real = hearing_import._write_batch
    calls = {"n": 0}

    def fail_second(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(hearing_import, "_write_batch", fail_second)
    with pytest.raises(RuntimeError):
        hearing_import.commit_import(db.session, actor=coordinator, text=text, now=utcnow())
    db.session.rollback()
    assert count(Hearing) == 0 and count(Shift) == 0


def test_every_feed_hears_of_an_import(app, coordinator) -> None:
    """The journal marks every feed, so no cached feed ETag outlives the new hearings."""
    before = count(FeedChange)
    hearing_import.commit_import(
        db.session, actor=coordinator, text=csv_text([row(n) for n in range(150)]), now=utcnow()
    )
    marks = db.session.scalars(select(FeedChange).order_by(FeedChange.id)).all()[before:]
    assert any(m.user_id is None and m.court_id is None for m in marks)
