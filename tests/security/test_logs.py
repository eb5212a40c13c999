"""Logs hold no feed tokens, reset or invitation links, search terms or email addresses."""

from __future__ import annotations

import importlib.util
import io
import logging
import traceback
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from scheduler.extensions import db
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


def test_phone_numbers_are_redacted_but_times_and_offsets_are_kept() -> None:
    assert redact("sms to +13125550142 failed") == "sms to [phone] failed"
    assert redact("call +1 (312) 555-0142 now") == "call [phone] now"
    assert redact("+52 55 1234 5678") == "[phone]"
    kept = "at 2026-12-01 10:00:00+00:00, offset +0530, id +12"
    assert redact(kept) == kept


def test_no_code_logs_an_email_address() -> None:
    """A crude guard: no logger call formats an email or a user's email attribute."""
    root = Path(__file__).resolve().parents[2] / "scheduler"
    offenders = []
    for path in root.rglob("*.py"):
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if "logger." in line and (
                ".email" in line
                or "respondent_ref" in line
                or "private_notes" in line
                or "number" in line.split("logger.", 1)[1]
            ):
                offenders.append(f"{path}:{number}")
    assert offenders == []


# --- Failed statements: nothing private in any log (issue 13, item 1) -------------------------

MARK = "Pl4ntedMark"


def _marked(field: str) -> str:
    return f"{MARK}-{field}"


def _argon2_hash() -> str:
    from scheduler.accounts.registry import hash_password

    return hash_password(_marked("password"))


def _failing_writes() -> dict[str, Callable[[], None]]:
    """Each kind of failed statement, with a planted marker in every private field it writes."""
    from scheduler.accounts import registry as accounts
    from scheduler.models import Hearing, User
    from tests.factories import make_hearing, make_user

    def private_hearing(**failing: Any) -> Hearing:
        """A hearing whose next UPDATE writes a marker in every private field, and ``failing``."""
        hearing = make_hearing()
        values = {
            "respondent_ref": _marked("ref"),
            "private_notes": _marked("private"),
            "outcome_note": _marked("outcome"),
            "public_notes": _marked("public"),
            "meeting_point": _marked("meeting"),
            "judge": _marked("judge"),
            **failing,
        }
        for name, value in values.items():
            setattr(hearing, name, value)
        return hearing

    def person(**overrides: Any) -> User:
        values = {
            "email": f"{_marked('email')}@example.org",
            "display_name": _marked("name"),
            "phone": "+1 555 0199 " + _marked("phone"),
            "password_hash": _argon2_hash(),
        }
        values.update(overrides)
        user = User(**values)
        db.session.add(user)
        return user

    def unique_email() -> None:  # IntegrityError, and PostgreSQL's DETAIL quotes the key
        taken = make_user(email=_marked("taken"))
        db.session.flush()
        person(email=taken.email)

    def not_null() -> None:  # IntegrityError; PostgreSQL's DETAIL quotes the whole row
        private_hearing(courtroom=None)

    def too_long() -> None:  # DataError on PostgreSQL (varchar(60))
        private_hearing(respondent_ref=_marked("ref") * 20)

    def nul_byte() -> None:  # refused by psycopg on PostgreSQL
        private_hearing(private_notes=_marked("private") + "\x00")

    def int32_out_of_range() -> None:  # DataError on PostgreSQL
        private_hearing(duration_minutes=2**31)

    def int64_out_of_range() -> None:  # OverflowError on SQLite, DataError on PostgreSQL
        private_hearing(duration_minutes=2**64)

    def password_change() -> None:  # the UPDATE carries the new hash and fails on the email
        taken = make_user(email=_marked("other"))
        user = make_user(display_name=_marked("name"))
        db.session.flush()
        accounts._set_password(user, _marked("new-password"))
        user.email = taken.email

    return {
        f.__name__: f
        for f in (
            unique_email,
            not_null,
            too_long,
            nul_byte,
            int32_out_of_range,
            int64_out_of_range,
            password_change,
        )
    }


KINDS = list(_failing_writes())


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.stream = io.StringIO()
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.stream.write(self.format(record) + "\n")


@pytest.fixture
def every_log(app):
    """A capturing handler on the root and on every logger that does not pass records up."""
    names = ["", app.logger.name, "werkzeug", "gunicorn.error", "gunicorn.access", "flask-limiter"]
    names += [n for n, lg in logging.Logger.manager.loggerDict.items() if isinstance(lg, logging.Logger)]
    capture = _Capture()
    loggers = {logging.getLogger(n or None) for n in names}
    attached = [lg for lg in loggers if lg is logging.getLogger() or not lg.propagate]
    levels = {lg: lg.level for lg in loggers}
    for lg in attached:
        lg.addHandler(capture)
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    yield capture.stream
    for lg in attached:
        lg.removeHandler(capture)
    for lg, level in levels.items():
        lg.setLevel(level)


def _gunicorn_logger():
    from gunicorn.config import Config

    path = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
    spec = importlib.util.spec_from_file_location("gunicorn_conf_errors", path)
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    cfg = Config()
    cfg.set("errorlog", "-")
    cfg.set("accesslog", None)
    logger = conf.RedactingLogger(cfg)
    stream = io.StringIO()
    for handler in logger.error_log.handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(stream)
    return logger, stream


def test_the_engine_hides_statement_parameters(app) -> None:
    assert db.engine.hide_parameters is True


@pytest.mark.own_app  # adds a route
@pytest.mark.parametrize("kind", KINDS)
def test_a_failed_statement_leaves_nothing_private_in_any_log(app, every_log, kind, capsys) -> None:
    """The error handler's log, werkzeug's "Error on request" and gunicorn's error log."""
    failing = _failing_writes()[kind]

    @app.get(f"/_fail/{kind}")
    def fail() -> str:
        failing()
        db.session.flush()
        return "no error on this database"

    errors = io.StringIO()
    response = app.test_client().get(f"/_fail/{kind}", errors_stream=errors)
    db.session.rollback()
    gunicorn, gunicorn_stream = _gunicorn_logger()
    try:
        failing()
        db.session.flush()
    except Exception:  # any kind: each database fails its own way
        logging.getLogger("werkzeug").error("Error on request:\n%s", traceback.format_exc())
        gunicorn.exception("Error handling request %s", f"/_fail/{kind}")
        logging.getLogger("scheduler.notifications.outbox").exception("batch failed")
    finally:
        db.session.rollback()
    captured = capsys.readouterr()
    logs = "\n".join(
        [every_log.getvalue(), errors.getvalue(), gunicorn_stream.getvalue(), captured.out, captured.err]
    )
    if response.status_code == 500:  # the database refused: the traceback is in the log
        assert "Traceback" in logs, logs
    assert MARK not in logs, logs
    assert "$argon2" not in logs, logs


def test_postgresql_detail_and_quoted_values_are_redacted() -> None:
    text = (
        "Traceback (most recent call last):\n"
        '  File "/app/x.py", line 3, in f\n'
        "    db.session.flush()\n"
        '(psycopg.errors.UniqueViolation) duplicate key value violates unique constraint "uq_users_email"\n'
        "DETAIL:  Key (email)=(maria) already exists.\n"
        "[SQL: INSERT INTO users (email) VALUES (%(email)s)]\n"
        "[parameters: {'email': 'maria', 'password_hash': '$argon2id$v=19$abc'}]\n"
        'psycopg.errors.InvalidTextRepresentation: invalid input syntax for type integer: "5550199"\n'
    )
    out = redact(text)
    assert "maria" not in out and "$argon2" not in out and "5550199" not in out
    assert '"uq_users_email"' in out and 'File "/app/x.py", line 3' in out and "[SQL: INSERT" in out
