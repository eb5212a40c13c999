"""A real SMTP server (aiosmtpd) on a free local port, and an app that sends through it."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """Keeps every message the server accepted; hooks let a test act at chosen moments."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.lock = threading.Lock()
        # Called with the number of messages received so far, when a client says MAIL FROM.
        self.on_mail: Callable[[int], None] | None = None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.on_mail is not None:
            self.on_mail(len(self.messages))
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(parsed)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages]


class SMTPServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.recorder = Recorder()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.recorder.messages


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    server = SMTPServer(free_port())
    server.start()
    yield server
    server.stop()


def smtp_config(port: int) -> dict[str, Any]:
    return {
        "MAIL_BACKEND": "smtp",
        "MAIL_SMTP_HOST": "127.0.0.1",
        "MAIL_SMTP_PORT": port,
        "MAIL_SMTP_SECURITY": "none",
        "MAIL_SMTP_TIMEOUT": 5,
        "MAIL_FROM": "Accompany <no-reply@accompany.test>",
    }


@pytest.fixture
def app_config(database_url: str, smtp_server: SMTPServer) -> dict[str, Any]:
    from tests.conftest import base_config

    return base_config(database_url) | smtp_config(smtp_server.port)


def parts(message: EmailMessage) -> dict[str, Any]:
    """Text, HTML and the calendar attachment of a received message."""
    found: dict[str, Any] = {"text": None, "html": None, "ics": None, "ics_type": None}
    for part in message.walk():
        ctype = part.get_content_type()
        if ctype == "text/plain" and found["text"] is None and not part.get_filename():
            found["text"] = part.get_content()
        elif ctype == "text/html":
            found["html"] = part.get_content()
        elif ctype == "text/calendar":
            found["ics"] = part.get_payload(decode=True)
            found["ics_type"] = part
    return found
