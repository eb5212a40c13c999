"""The password policy (NIST SP 800-63B style: length and a blocklist, no composition rules)."""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from importlib import resources

MAX_LENGTH = 256  # argon2 hashes anything, but an unbounded input is a cheap denial of service


class PasswordProblem(StrEnum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    TOO_COMMON = "too_common"
    CONTAINS_EMAIL = "contains_email"


@cache
def _common_passwords() -> frozenset[str]:
    text = resources.files("scheduler.data").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def password_problems(password: str, *, min_length: int, email: str = "") -> list[PasswordProblem]:
    """Every reason this password is refused; empty when it is acceptable."""
    problems: list[PasswordProblem] = []
    if len(password) < min_length:
        problems.append(PasswordProblem.TOO_SHORT)
    if len(password) > MAX_LENGTH:
        problems.append(PasswordProblem.TOO_LONG)
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) <= 2:
        problems.append(PasswordProblem.TOO_COMMON)
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        problems.append(PasswordProblem.CONTAINS_EMAIL)
    return problems
