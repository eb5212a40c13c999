"""Instants survive a round trip through either database as aware UTC datetimes."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import Hearing
from tests.factories import make_hearing


def test_aware_instant_round_trips_as_utc(app):
    chicago_winter = datetime(2027, 1, 15, 9, 0, tzinfo=timezone(timedelta(hours=-6)))
    hearing = make_hearing(starts_at=chicago_winter)
    db.session.commit()
    db.session.expire_all()

    loaded = db.session.scalar(select(Hearing).where(Hearing.id == hearing.id))
    assert loaded.starts_at.tzinfo is not None
    assert loaded.starts_at.utcoffset() == timedelta(0)
    assert loaded.starts_at == datetime(2027, 1, 15, 15, 0, tzinfo=UTC)


def test_filtering_by_instant_compares_in_utc(app):
    instant = datetime(2027, 7, 1, 16, 0, tzinfo=UTC)
    make_hearing(starts_at=instant)
    db.session.commit()
    same_instant_elsewhere = instant.astimezone(timezone(timedelta(hours=9)))
    found = db.session.scalars(select(Hearing).where(Hearing.starts_at == same_instant_elsewhere)).all()
    assert len(found) == 1


def test_naive_datetime_is_refused(app):
    with pytest.raises(Exception, match="naive"):
        make_hearing(starts_at=datetime(2027, 1, 15, 9, 0))
    db.session.rollback()
