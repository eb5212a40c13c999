"""Security headers on every response, with a strict Content-Security-Policy.

The app has no inline script or style: everything loads from /static. A template that truly
needs an inline block writes ``nonce="{{ csp_nonce() }}"`` on it; the nonce is then added to
the policy of that one response only.
"""

from __future__ import annotations

import secrets

from flask import Flask, current_app, g
from flask.wrappers import Response

BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # Feed tokens, reset and invitation links and hearing ids live in URLs: never send them on.
    "Referrer-Policy": "no-referrer",
    # For browsers without CSP frame-ancestors.
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
HSTS = "max-age=63072000; includeSubDomains"


def csp_nonce() -> str:
    """A per-response nonce for the rare inline block; using it adds it to the policy."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str | None = None, extra: dict[str, list[str]] | None = None) -> str:
    sources = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # QR codes for two-step sign-in are data: images made on the server.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    for directive, values in (extra or {}).items():
        sources.setdefault(directive, []).extend(values)
    if nonce:
        sources["script-src"].append(f"'nonce-{nonce}'")
        sources["style-src"].append(f"'nonce-{nonce}'")
    return "; ".join(f"{name} {' '.join(values)}" for name, values in sources.items())


def add_security_headers(response: Response) -> Response:
    """Set the headers; a view that already chose a stricter value keeps it."""
    for name, value in BASE_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault(
        "Content-Security-Policy",
        content_security_policy(g.get("csp_nonce"), current_app.config.get("CSP_EXTRA")),
    )
    if current_app.config["ENV"] == "production":
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_headers(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(add_security_headers)
