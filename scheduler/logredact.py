"""Keep personal data and secrets out of logs: application, development server and gunicorn.

Feed URLs (/feeds/<token>.ics), password-reset and invitation links carry secrets in the path;
search boxes carry names and addresses in the query string. Logs keep the shape of a request
("/feeds/[redacted]", "?q=[redacted]") and never the value. The audit trail (the
``audit_events`` table) is where who-did-what is kept, not the log.

Exceptions carry values too: a failed statement's ``[parameters: ...]`` (the engine is built
with ``hide_parameters=True``, this is the second line of defence), PostgreSQL's ``DETAIL:``
lines ("Key (email)=(...) already exists", "Failing row contains (...)") and quoted values in
messages such as ``invalid input syntax for type integer: "..."``. Tracebacks keep their frames
(file, line, code: ours, not the user's) and lose the values in their exception lines.
"""

from __future__ import annotations

import logging
import re
from types import TracebackType
from typing import Any

from flask import Flask

REDACTED = "[redacted]"
_FEED = re.compile(r"/feeds/[^\s\"?#]+")
# A path segment of 20+ token characters: signed or random tokens (reset, invitation, unsubscribe).
_TOKEN_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_\-.~%=]{20,}")
_QUERY_VALUE = re.compile(r"([?&][^=&\s\"#]+=)[^&\s\"#]*")
_EMAIL = re.compile(r"[^\s@\"'<>(),;:]+@[^\s@\"'<>(),;:]+\.[A-Za-z]{2,}")
# Phone numbers in international form (+1 312 555 0142, +13125550142): the people of a rapid-
# response network give theirs for alerts (scheduler/notifications/channels/phones.py).
_PHONE = re.compile(r"(?<![\w+])\+\d[\d ().-]{6,20}\d(?!\w)")
# SQLAlchemy's "[parameters: {...}]" (one line: the values are repr()'d) and PostgreSQL's DETAIL.
_PARAMETERS = re.compile(r"\[parameters: .*\]")
_DETAIL = re.compile(r"(DETAIL:\s*).*")
# Quoted values in an exception's message; schema names PostgreSQL quotes are kept.
_QUOTED = re.compile(r"""(?<!constraint )(?<!relation )(?<!column )(?<!table )('[^'\n]*'|"[^"\n]*")""")
_TRACEBACK_START = "Traceback (most recent call last):"
_CHAIN_LINES = (
    "During handling of the above exception, another exception occurred:",
    "The above exception was the direct cause of the following exception:",
)


def redact(text: str) -> str:
    """The text with feed paths, token-like path segments, query values, emails and phone numbers replaced."""
    if not text:
        return text
    text = _FEED.sub("/feeds/" + REDACTED, text)
    text = _TOKEN_SEGMENT.sub(REDACTED, text)
    text = _QUERY_VALUE.sub(lambda m: m.group(1) + REDACTED, text)
    text = _EMAIL.sub("[email]", text)
    text = _PHONE.sub(_phone, text)
    text = _PARAMETERS.sub("[parameters: " + REDACTED + "]", text)
    text = _DETAIL.sub(lambda m: m.group(1) + REDACTED, text)
    if _TRACEBACK_START in text:
        text = redact_traceback(text)
    return text


def _phone(match: re.Match[str]) -> str:
    """A run of 8 to 15 digits after a '+' is a number; fewer is something else (an offset)."""
    digits = sum(ch.isdigit() for ch in match.group(0))
    return "[phone]" if 8 <= digits <= 15 else match.group(0)


def _exception_line(line: str) -> str:
    if line.startswith("[SQL: ") or line.startswith("(Background on this error"):
        return line  # the statement has placeholders, never values; the link is SQLAlchemy's
    return _QUOTED.sub(lambda m: m.group(0)[0] + REDACTED + m.group(0)[0], line)


def redact_traceback(text: str) -> str:
    """A formatted traceback with its frames kept and the values in its exception lines removed.

    Frame lines ("  File ...", the indented code under them) are the program's; every other
    line of a traceback (the exception's type and message, continued over several lines) may
    quote what a person typed, so quoted values there are replaced.
    """
    out = []
    inside = False
    for line in text.split("\n"):
        if line.startswith(_TRACEBACK_START) or line in _CHAIN_LINES:
            inside = line.startswith(_TRACEBACK_START)
            out.append(line)
        elif inside and line.startswith("  "):
            out.append(line)  # a frame and its code
        elif line.strip():
            inside = False
            out.append(_exception_line(line))
        else:
            out.append(line)
    return "\n".join(out)


def format_exception(
    exc_info: tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None],
) -> str:
    """The traceback of ``exc_info`` as logging would print it, redacted."""
    return redact(redact_traceback(logging.Formatter().formatException(exc_info)))


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (and traceback text) in place before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = redact(message)
        record.args = ()
        if record.exc_info:
            # Formatted here, once, redacted; no handler gets the live exception to format itself.
            record.exc_text = format_exception(record.exc_info)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(redact_traceback(record.exc_text))
        return True


_FILTER = RedactingFilter()


# Loggers that may carry request data: werkzeug's request log, gunicorn's error log, and
# Flask-Limiter's "limit exceeded" line (its key holds the email typed at sign-in).
LOGGERS = ("werkzeug", "gunicorn.error", "flask-limiter")


def install_on(logger: logging.Logger) -> None:
    """Filter records logged to ``logger`` and, through its handlers, records propagated to it."""
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    for handler in logger.handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)


def _install_record_factory() -> None:
    """Redact every record as it is made, whichever logger and handler it goes to.

    Filters on loggers miss records propagated from child loggers, and handlers added later
    (a logging config, gunicorn's error log) have none; the record factory sees them all.
    """
    current = logging.getLogRecordFactory()
    if getattr(current, "redacting", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        _FILTER.filter(record)
        return record

    factory.redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def install(app: Flask) -> None:
    """Redact every log record; also filter the app's, werkzeug's, gunicorn's and the limiter's loggers."""
    _install_record_factory()
    for logger in (app.logger, logging.getLogger(), *map(logging.getLogger, LOGGERS)):
        install_on(logger)
