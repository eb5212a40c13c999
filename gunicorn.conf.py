"""gunicorn settings for Accompany: `gunicorn -c gunicorn.conf.py wsgi:app`.

The access log never holds a feed token, a reset or invitation link, or a search term:
request lines, paths, query strings and referrers are redacted before they are written.
The error log goes through the app's redacting filter too: a traceback gunicorn writes (a
request that failed outside Flask's error handling) loses statement parameters and values.
"""

from gunicorn.glogging import Logger

from scheduler.logredact import REDACTED, install_on, redact

bind = "127.0.0.1:8000"
workers = 2
accesslog = "-"
errorlog = "-"
# No user agent or referrer: they identify people and carry links.
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(L)s'
forwarded_allow_ips = "127.0.0.1"
# A worker silent this long is killed. The app's own bounds stay below it (scheduler/config.py:
# DB_CONNECT_TIMEOUT + DB_STATEMENT_TIMEOUT, DB_LOCK_TIMEOUT), so a held lock or a database that
# is away gets a clear answer from the app, not a killed worker; tests/faults checks the sum.
timeout = 30
graceful_timeout = 30


class RedactingLogger(Logger):
    def setup(self, cfg):  # type: ignore[no-untyped-def]
        super().setup(cfg)  # (re)creates the handlers, so the filter goes on after it
        install_on(self.error_log)

    def atoms(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U"):
            atoms[key] = redact(atoms[key] or "")
        atoms["q"] = REDACTED if atoms.get("q") else ""
        atoms["f"] = "-"
        for key in [k for k in atoms if k.startswith("{") and k.endswith("}e")]:
            atoms[key] = "-"
        for key in ("{referer}i", "{cookie}i", "{authorization}i", "{set-cookie}o"):
            if key in atoms:
                atoms[key] = "-"
        return atoms


logger_class = RedactingLogger
