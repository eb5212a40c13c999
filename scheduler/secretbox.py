"""Secrets at rest: values the app must read back (TOTP secrets) are stored Fernet-encrypted.

Keys come from configuration (``SECRETS_KEY``: one Fernet key, or several, newest first,
as a list or comma-separated). The newest key encrypts; every listed key decrypts, so a key
can be rotated: put the new key first, restart, run ``flask --app wsgi secrets rotate``, then
drop the old key. See docs/security.md. The running app's box is
``scheduler.extensions.secret_box()``; services take a box as a parameter.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, MutableMapping
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

SECRETS_KEY_FILE = "secrets_key"


class SecretUnreadable(RuntimeError):
    """No configured key opens a stored secret (a key was dropped before rotating)."""


class SecretBox:
    """Encrypt with the newest key; decrypt with any configured key."""

    def __init__(self, keys: Iterable[str]) -> None:
        self._keys = [Fernet(key) for key in keys]
        if not self._keys:
            raise ValueError("at least one key is needed")
        self._box = MultiFernet(self._keys)

    def encrypt(self, plaintext: str) -> str:
        return self._box.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._box.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise SecretUnreadable("no configured SECRETS_KEY opens this stored secret") from exc

    def is_current(self, token: str) -> bool:
        """Whether the newest key already encrypts this value."""
        try:
            self._keys[0].decrypt(token.encode())
        except InvalidToken:
            return False
        return True

    def rotate(self, token: str) -> str:
        """The same secret, encrypted with the newest key."""
        try:
            return self._box.rotate(token.encode()).decode()
        except InvalidToken as exc:
            raise SecretUnreadable("no configured SECRETS_KEY opens this stored secret") from exc


def parse_keys(value: object) -> list[str]:
    """A list of keys from a list, or a comma/whitespace-separated string; newest first."""
    if isinstance(value, str):
        items = value.replace(",", " ").split()
    elif isinstance(value, list | tuple):
        items = [str(item).strip() for item in value]
    else:
        items = []
    return [item for item in items if item]


def ensure_secrets_key(config: MutableMapping, *, instance_path: str, production: bool) -> SecretBox:
    """Use the configured keys, else the one saved in the instance folder, else make one.

    Production must be given keys explicitly: a key made on one machine would not open
    secrets written by another, and a lost key makes every stored secret unreadable.
    """
    keys = parse_keys(config.get("SECRETS_KEY"))
    if not keys:
        if production:
            raise RuntimeError(
                "SECRETS_KEY is not configured. Set SCHEDULER_SECRETS_KEY (a Fernet key: "
                "flask --app wsgi secrets generate-key) or SECRETS_KEY in instance/config.py "
                "before starting in production."
            )
        keys = [_instance_key(Path(instance_path) / SECRETS_KEY_FILE)]
    try:
        box = SecretBox(keys)
    except ValueError as exc:
        raise RuntimeError(
            "SECRETS_KEY holds a value that is not a Fernet key (32 url-safe base64-encoded bytes); "
            "make one with: flask --app wsgi secrets generate-key"
        ) from exc
    config["SECRETS_KEY"] = keys
    return box


def _instance_key(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key
