"""Which ORM bulk statements the feed listeners must hear of (the change journal and revisions)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import ORMExecuteState, Session

from scheduler.models import FEED_NEUTRAL


def bulk_target(state: ORMExecuteState, classes: tuple[type, ...]) -> type | None:
    """The class an ORM ``insert()``/``update()``/``delete()`` writes, when it is one of ``classes``.

    None for reads, for statements marked FEED_NEUTRAL and for other tables: a bulk statement
    bypasses the flush, so each listener works out from it what it is about to touch.
    """
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    if state.execution_options.get(FEED_NEUTRAL):
        return None
    mapper = state.bind_mapper
    if mapper is None or not issubclass(mapper.class_, classes):
        return None
    return mapper.class_


def known(session: Session, cls: type, ident: int, attr: str) -> Any:
    """A column value the session already holds for a row (None: not loaded, so select it).

    After a flush the session's objects hold what the flush wrote, so the listeners can take a
    seat's shift or a shift's hearing from there instead of selecting it again (a claim loads
    its shift, hearing and court before it writes).
    """
    obj = session.identity_map.get(inspect(cls).identity_key_from_primary_key((ident,)))
    if obj is None:
        return None
    return inspect(obj).dict.get(attr)
