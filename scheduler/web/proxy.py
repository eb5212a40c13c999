"""Trust the reverse proxies in front of the app, and only as many as configured.

Behind nginx every request arrives from 127.0.0.1; rate limits keyed on that address would be
shared by everyone. ``TRUSTED_PROXIES`` (``SCHEDULER_TRUSTED_PROXIES``) says how many proxies
stand in front: Werkzeug's ProxyFix then takes the client address from that many entries at
the right of ``X-Forwarded-For`` (each proxy appends the address it saw), and the scheme from
``X-Forwarded-Proto``. With 0, the default, the headers are ignored: anyone could write them.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def trusted_proxies(app: Flask) -> int:
    """The configured number of proxies; a clear error at start-up for anything but a count."""
    value = app.config.get("TRUSTED_PROXIES", 0)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RuntimeError(
            "TRUSTED_PROXIES (SCHEDULER_TRUSTED_PROXIES) must be the number of reverse proxies "
            f"in front of the app: 0, 1, 2 ...; got {value!r}."
        )
    return value


def init_proxy(app: Flask) -> None:
    count = trusted_proxies(app)
    app.config["TRUSTED_PROXIES"] = count
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]
