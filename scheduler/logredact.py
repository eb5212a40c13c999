"""Keep personal data and secrets out of logs: application, development server and gunicorn.

Feed URLs (/feeds/<token>.ics), password-reset and invitation links carry secrets in the path;
search boxes carry names and addresses in the query string. Logs keep the shape of a request
("/feeds/[redacted]", "?q=[redacted]") and never the value. The audit trail (the
``audit_events`` table) is where who-did-what is kept, not the log.
"""

from __future__ import annotations

import logging
import re

from flask import Flask

REDACTED = "[redacted]"
_FEED = re.compile(r"/feeds/[^\s\"?#]+")
# A path segment of 20+ token characters: signed or random tokens (reset, invitation, unsubscribe).
_TOKEN_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_\-.~%=]{20,}")
_QUERY_VALUE = re.compile(r"([?&][^=&\s\"#]+=)[^&\s\"#]*")
_EMAIL = re.compile(r"[^\s@\"'<>(),;:]+@[^\s@\"'<>(),;:]+\.[A-Za-z]{2,}")


def redact(text: str) -> str:
    """The text with feed paths, token-like path segments, query values and emails replaced."""
    if not text:
        return text
    text = _FEED.sub("/feeds/" + REDACTED, text)
    text = _TOKEN_SEGMENT.sub(REDACTED, text)
    text = _QUERY_VALUE.sub(lambda m: m.group(1) + REDACTED, text)
    return _EMAIL.sub("[email]", text)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (and traceback text) in place before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = redact(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_FILTER = RedactingFilter()


def install(app: Flask) -> None:
    """Attach the filter to the app's logger, werkzeug's request log and the root handlers."""
    for logger in (app.logger, logging.getLogger("werkzeug"), logging.getLogger("gunicorn.error")):
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    for handler in logging.getLogger().handlers + app.logger.handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
