"""Values that belong to this installation and must never change once chosen.

The calendar UID domain: every event a feed or an email carries has a UID ``...@<domain>``, and
calendar apps treat a new UID as a new event. Taking the domain from ``BASE_URL`` meant that
moving the app to a new public address duplicated every event in every subscribed calendar, so
the domain is a random name of the installation's own (``<random>.accompany.invalid``, a
reserved name that never resolves), made once (by the migration, by ``create_all``, or on first
use) and kept in ``site_settings``. ``UID_DOMAIN`` in the config overrides it, e.g. to keep the
old host's UIDs when upgrading an installation (see the README).
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler.models import SiteSetting
from scheduler.models.twofactor import UID_DOMAIN_KEY, new_uid_domain

# The domain once read from the database, per engine: it never changes once chosen, so a full
# feed need not read it again (bench/feeds.py: the warm feed is back to its former statements).
# Only a value found in the table is kept, never one this process is still inserting.
_known: WeakKeyDictionary[Engine, str] = WeakKeyDictionary()


def uid_domain(session: Session, *, configured: str = "") -> str:
    """The stable domain part of calendar UIDs (read once per process; made on first use)."""
    if configured:
        return configured
    engine = session.get_bind()
    known = _known.get(engine) if isinstance(engine, Engine) else None
    if known:
        return known
    row = session.get(SiteSetting, UID_DOMAIN_KEY)
    if row is not None and isinstance(row.value, str) and row.value:
        if isinstance(engine, Engine):
            _known[engine] = row.value
        return row.value
    value = new_uid_domain()
    try:
        with session.begin_nested():
            session.add(SiteSetting(key=UID_DOMAIN_KEY, value=value))
    except IntegrityError:  # another worker made it first: use theirs
        row = session.get(SiteSetting, UID_DOMAIN_KEY, populate_existing=True)
        if row is None:  # pragma: no cover
            raise
        return row.value
    return value
