"""Logs hold no feed tokens, reset or invitation links, search terms or email addresses."""

from __future__ import annotations

import importlib.util
import logging
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from scheduler.logredact import RedactingFilter, redact

FEED_TOKEN = "Zq3v8d0T1pQx7Wn2Yb5Lk9Hs4Jr6Mc0Ve8Nf2Ga1Bt5"


def test_feed_urls_are_redacted() -> None:
    line = f'127.0.0.1 - - "GET /feeds/{FEED_TOKEN}.ics HTTP/1.1" 200 -'
    out = redact(line)
    assert FEED_TOKEN not in out and "/feeds/[redacted]" in out and "200" in out


def test_signed_links_and_query_values_are_redacted() -> None:
    invitation = "eyJzIjo0MiwiayI6Imludml0ZSJ9.ZzY3Xw.aGVsbG8td29ybGQtc2lnbmF0dXJl"
    out = redact(f"GET /notifications/invitation/{invitation}?next=/people/&q=maria%40example.org HTTP/1.1")
    assert invitation not in out and "maria" not in out
    assert "/notifications/invitation/[redacted]" in out and "q=[redacted]" in out


def test_email_addresses_are_redacted_but_ordinary_paths_are_kept() -> None:
    out = redact("login failed for Maria.Lopez@example.org on /hearings/42/edit")
    assert "Maria" not in out and "[email]" in out and "/hearings/42/edit" in out


def test_the_filter_rewrites_messages_and_tracebacks() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "user %s", ("a@b.org",), None)
    try:
        raise ValueError("duplicate key value (email)=(someone@example.org)")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    RedactingFilter().filter(record)
    assert record.getMessage() == "user [email]"
    assert "someone@example.org" not in record.exc_text and "[email]" in record.exc_text


def test_the_app_log_is_filtered(app, caplog) -> None:
    with caplog.at_level(logging.INFO):
        app.logger.info("sent reset to %s", "victim@example.org")
    assert "victim@example.org" not in caplog.text


def test_werkzeug_request_log_is_filtered(app, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info('"GET /feeds/%s.ics HTTP/1.1" 200 -', FEED_TOKEN)
    assert FEED_TOKEN not in caplog.text


def test_gunicorn_access_log_is_redacted() -> None:
    path = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
    spec = importlib.util.spec_from_file_location("gunicorn_conf", path)
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    logger = conf.RedactingLogger.__new__(conf.RedactingLogger)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/feeds/{FEED_TOKEN}.ics?x=1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": f"/feeds/{FEED_TOKEN}.ics",
        "QUERY_STRING": "x=1",
        "HTTP_REFERER": f"https://example.org/feeds/{FEED_TOKEN}.ics",
        "REMOTE_ADDR": "10.0.0.1",
    }
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[])
    logger.cfg = SimpleNamespace(access_log_format=conf.access_log_format)
    atoms = logger.atoms(resp, SimpleNamespace(headers=[]), environ, timedelta(seconds=0))
    assert all(FEED_TOKEN not in str(v) for v in atoms.values())
    assert atoms["r"].startswith("GET /feeds/[redacted]")


def test_no_code_logs_an_email_address() -> None:
    """A crude guard: no logger call formats an email or a user's email attribute."""
    root = Path(__file__).resolve().parents[2] / "scheduler"
    offenders = []
    for path in root.rglob("*.py"):
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if "logger." in line and (
                ".email" in line or "respondent_ref" in line or "private_notes" in line
            ):
                offenders.append(f"{path}:{number}")
    assert offenders == []
