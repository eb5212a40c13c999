"""Outgoing mail behind one small interface.

``extensions.mailer().send(Message)`` hands one message to the configured backend: ``console`` prints it
(development), ``memory`` keeps it in a list (tests), ``smtp`` delivers it. The app itself does
not call ``send`` from a request: it writes an outbox row (scheduler/notifications/outbox.py) in the
same transaction as the change, and the outbox worker calls ``send``.
"""

from __future__ import annotations

import smtplib
import ssl
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str = "text"
    subtype: str = "calendar"
    # Extra Content-Type parameters, e.g. {"method": "PUBLISH"} for an iCalendar part.
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Message:
    to: str
    subject: str
    text: str
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()
    # Stable per outbox row, so a resend after a crash carries the same Message-ID.
    message_id: str | None = None


class MailBackend(Protocol):
    def send(self, message: Message) -> None: ...


def to_email_message(message: Message, sender: str) -> EmailMessage:
    """The MIME form: plain text, an HTML alternative, then any attachments."""
    mime = EmailMessage()
    mime["From"] = sender
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Date"] = formatdate(localtime=False)
    mime["Message-ID"] = message.message_id or make_msgid(domain="accompany.invalid")
    mime.set_content(message.text)
    if message.html:
        mime.add_alternative(message.html, subtype="html")
    if message.attachments:
        # Keep the text/HTML pair together as one alternative, then attach alongside it.
        if mime.get_content_type() != "multipart/mixed":
            mime.make_mixed()
        for att in message.attachments:
            mime.add_attachment(
                att.content,
                maintype=att.maintype,
                subtype=att.subtype,
                filename=att.filename,
                params=att.params,
            )
    # Last: set_content and make_mixed move or drop Content-* headers set before them.
    for name, value in message.headers.items():
        mime[name] = value
    return mime


class ConsoleBackend:
    """Prints each message, so a developer can follow a link without a mail server."""

    def __init__(self, sender: str) -> None:
        self.sender = sender

    def send(self, message: Message) -> None:
        attached = "".join(f"[attached: {a.filename}]\n" for a in message.attachments)
        print(
            f"----- mail -----\nFrom: {self.sender}\nTo: {message.to}\n"
            f"Subject: {message.subject}\n\n{message.text}\n{attached}----------------",
            file=sys.stdout,
            flush=True,
        )


class MemoryBackend:
    def __init__(self) -> None:
        self.outbox: list[Message] = []

    def send(self, message: Message) -> None:
        self.outbox.append(message)


@dataclass(frozen=True, slots=True)
class SMTPSettings:
    host: str
    port: int = 587
    # "starttls" (upgrade a plain connection), "tls" (implicit TLS, usually port 465) or "none".
    security: str = "starttls"
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0


class SMTPBackend:
    """Delivers over SMTP; one connection per message keeps failure handling simple and local."""

    def __init__(self, settings: SMTPSettings, sender: str) -> None:
        if settings.security not in ("starttls", "tls", "none"):
            raise RuntimeError(f"unknown MAIL_SMTP_SECURITY {settings.security!r}")
        self.settings = settings
        self.sender = sender

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "tls":
            return smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=ssl.create_default_context())
        conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        if s.security == "starttls":
            conn.starttls(context=ssl.create_default_context())
        return conn

    def send(self, message: Message) -> None:
        mime = to_email_message(message, self.sender)
        with self._connect() as conn:
            if self.settings.username:
                conn.login(self.settings.username, self.settings.password or "")
            conn.send_message(mime)


def backend_from_config(config: Mapping[str, Any]) -> MailBackend:
    """The backend MAIL_BACKEND names, set up from MAIL_*; the app keeps it (``extensions.mailer``)."""
    kind = config["MAIL_BACKEND"]
    if kind == "memory":
        return MemoryBackend()
    if kind == "console":
        return ConsoleBackend(config["MAIL_FROM"])
    if kind == "smtp":
        settings = SMTPSettings(
            host=config["MAIL_SMTP_HOST"],
            port=int(config["MAIL_SMTP_PORT"]),
            security=config["MAIL_SMTP_SECURITY"],
            username=config.get("MAIL_SMTP_USERNAME") or None,
            password=config.get("MAIL_SMTP_PASSWORD") or None,
            timeout=float(config["MAIL_SMTP_TIMEOUT"]),
        )
        return SMTPBackend(settings, config["MAIL_FROM"])
    raise RuntimeError(f"unknown MAIL_BACKEND {kind!r}")
