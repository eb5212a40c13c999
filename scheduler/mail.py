"""Outgoing mail behind one small interface.

Development prints messages to the console; tests keep them in memory. The notifications work
adds an SMTP backend and an outbox behind the same ``send`` call.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Protocol

from flask import Flask, current_app


@dataclass(frozen=True, slots=True)
class Message:
    to: str
    subject: str
    text: str
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class MailBackend(Protocol):
    def send(self, message: Message) -> None: ...


class ConsoleBackend:
    """Prints each message, so a developer can follow a reset link without a mail server."""

    def __init__(self, sender: str) -> None:
        self.sender = sender

    def send(self, message: Message) -> None:
        print(
            f"----- mail -----\nFrom: {self.sender}\nTo: {message.to}\n"
            f"Subject: {message.subject}\n\n{message.text}\n----------------",
            file=sys.stdout,
            flush=True,
        )


class MemoryBackend:
    def __init__(self) -> None:
        self.outbox: list[Message] = []

    def send(self, message: Message) -> None:
        self.outbox.append(message)


def init_mail(app: Flask) -> None:
    kind = app.config["MAIL_BACKEND"]
    if kind == "memory":
        backend: MailBackend = MemoryBackend()
    elif kind == "console":
        backend = ConsoleBackend(app.config["MAIL_FROM"])
    else:
        raise RuntimeError(f"unknown MAIL_BACKEND {kind!r}")
    app.extensions["mail"] = backend


def mailer() -> MailBackend:
    return current_app.extensions["mail"]
