"""Shared bits for the security tests: TOTP codes from a stored secret, 2FA-on config, and the
casework / rapid-response rows the authorisation matrix and the hostile-input walk both need."""

from __future__ import annotations

import re
import time
from datetime import time as clock
from typing import Any

import pyotp

from scheduler.enums import IncidentKind, OnCallRole
from scheduler.extensions import db, secret_box
from scheduler.models import (
    AwaitingDate,
    HearingSeries,
    Incident,
    OnCallEntry,
    SeriesOccurrence,
    TwoFactorSecret,
    User,
)
from scheduler.twofactor import secrets as twofactor
from scheduler.types import utcnow

_steps = iter(range(2, 10_000))


def stored_secret(user: User) -> str:
    """The person's TOTP secret, decrypted as the app does (the column holds ciphertext)."""
    row = db.session.get(TwoFactorSecret, user.id)
    assert row is not None
    return secret_box().decrypt(row.secret_ciphertext)


def shown_secret(page: str) -> str:
    """The secret a set-up page shows for typing into the app (beside its QR code)."""
    found = re.search(r'<code class="secret-key">([A-Z2-7]+)</code>', page)
    assert found, "no secret on the page"
    return found.group(1)


def fresh_code(user: User, *, offset: int = 0) -> str:
    """A valid code for a step not used yet (the app refuses a code twice in one step)."""
    row = db.session.get(TwoFactorSecret, user.id)
    assert row is not None
    step = int(time.time()) // 30 + offset
    if row.last_used_step is not None and step <= row.last_used_step:
        step = row.last_used_step + 1
    return pyotp.TOTP(stored_secret(user)).at(step * 30)


def enable_2fa(user: User) -> list[str]:
    """Turn two-step sign-in on for a user directly through the service; returns recovery codes."""
    secret = twofactor.start_enrolment(db.session, user=user, box=secret_box())
    codes = twofactor.confirm_enrolment(
        db.session, user=user, code=pyotp.TOTP(secret).now(), box=secret_box()
    )
    db.session.commit()
    return codes


def login_with_2fa(client, user: User, password: str) -> None:
    response = client.post("/auth/login", data={"email": user.email, "password": password})
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/two-step")
    response = client.post("/auth/two-step", data={"code": fresh_code(user, offset=1)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def rapid_response_world(
    hearing: Any,
    person: User,
    *,
    kind: IncidentKind = IncidentKind.ICE_PRESENT,
    role: OnCallRole = OnCallRole.COORDINATOR,
    weekday: int = 0,
) -> tuple[int, int]:
    """An open incident at the hearing and an on-call entry at its court (rapid response)."""
    incident = Incident(
        hearing_id=hearing.id,
        court_id=hearing.court_id,
        kind=kind,
        raised_at=utcnow(),
        tier_reached_at=utcnow(),
    )
    entry = OnCallEntry(
        court_id=hearing.court_id,
        user_id=person.id,
        role=role,
        weekday=weekday,
        starts=clock(8),
        ends=clock(17),
    )
    db.session.add_all([incident, entry])
    db.session.flush()
    return incident.id, entry.id


def casework_world(hearing: Any, coordinator: User) -> tuple[int, int]:
    """A series around the hearing and a case awaiting a date at its court."""
    series = HearingSeries(
        court_id=hearing.court_id,
        kind=hearing.kind,
        rule="DTSTART:20310304T000000\nRRULE:FREQ=WEEKLY;COUNT=3",
        frequency="weekly",
        local_time=hearing.starts_at.time(),
        case_key=hearing.case_key,
        created_by_id=coordinator.id,
    )
    series.occurrences = [SeriesOccurrence(occurs_on=hearing.starts_at.date(), hearing_id=hearing.id)]
    entry = AwaitingDate(
        court_id=hearing.court_id, kind=hearing.kind, case_key=hearing.case_key, next_check_on=utcnow().date()
    )
    db.session.add_all([series, entry])
    db.session.flush()
    return series.id, entry.id
