"""What API tokens (accounts/api_tokens.py) and feed tokens (feeds/tokens.py) share.

Only a token's SHA-256 is stored. ``last_used_at`` is for people and support ("is my phone still
polling?"), not an access log: writing it on every request would turn each cheap 304 into a
write, so it is stamped at most once per LAST_USED_GRANULARITY.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from scheduler.models import ApiToken, FeedToken

LAST_USED_GRANULARITY = timedelta(hours=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def stamp_last_used(
    session: Session,
    model: type[ApiToken] | type[FeedToken],
    *,
    token_id: int,
    last_used_at: datetime | None,
    now: datetime,
) -> bool:
    """Stamp the token's last use unless it was stamped within the hour; True when a write was made."""
    if last_used_at is not None and now - last_used_at < LAST_USED_GRANULARITY:
        return False
    session.execute(
        update(model)
        .where(model.id == token_id)
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    return True
