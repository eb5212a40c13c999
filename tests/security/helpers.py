"""Shared bits for the security tests: TOTP codes from a stored secret, 2FA-on config."""

from __future__ import annotations

import re
import time

import pyotp

from scheduler.extensions import db, secret_box
from scheduler.models import TwoFactorSecret, User
from scheduler.twofactor import secrets as twofactor

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
