"""Which ORM bulk statements the feed listeners must hear of (the change journal and revisions)."""

from __future__ import annotations

from sqlalchemy.orm import ORMExecuteState

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
