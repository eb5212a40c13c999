"""Headers on every response, and templates with no inline script for the CSP to block."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scheduler.web.headers import content_security_policy
from tests.conftest import base_config

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


def test_every_page_carries_a_strict_policy(app, client) -> None:
    for url in ("/", "/auth/login", "/healthz", "/no/such/page", "/static/css/app.css"):
        response = client.get(url)
        headers = response.headers
        response.close()
        assert headers["X-Content-Type-Options"] == "nosniff", url
        assert headers["Referrer-Policy"] == "no-referrer", url
        assert headers["X-Frame-Options"] == "DENY", url
        policy = _directives(headers["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], url
        assert policy["style-src"] == ["'self'"], url
        assert policy["frame-ancestors"] == ["'none'"], url
        assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"], url
        assert policy["form-action"] == ["'self'"], url
        assert "Strict-Transport-Security" not in headers, url


def test_a_used_nonce_is_added_to_that_response_only() -> None:
    policy = _directives(content_security_policy("abc123"))
    assert "'nonce-abc123'" in policy["script-src"]
    assert "'unsafe-inline'" not in policy["script-src"]


class TestProduction:
    @pytest.fixture
    def app_config(self, database_url):
        config = base_config(database_url)
        config["ENV"] = "production"
        return config

    def test_hsts_in_production(self, app, client) -> None:
        hsts = client.get("/auth/login").headers["Strict-Transport-Security"]
        assert "max-age=63072000" in hsts


def test_no_template_has_inline_script_or_event_handlers() -> None:
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if path.relative_to(TEMPLATES).parts[:2] == ("notifications", "mail"):
            continue  # email bodies are never served by the app (no CSP); mail clients need inline styles
        text = path.read_text("utf-8")
        for match in re.finditer(r"<script\b([^>]*)>", text, re.IGNORECASE):
            attrs = match.group(1)
            if "src=" not in attrs and "nonce=" not in attrs:
                offenders.append(f"{path.relative_to(TEMPLATES)}: inline <script>")
        if re.search(r"<[^>]+\son[a-z]+\s*=", text, re.IGNORECASE):
            offenders.append(f"{path.relative_to(TEMPLATES)}: inline event handler (on...=)")
        if re.search(r"javascript:", text, re.IGNORECASE):
            offenders.append(f"{path.relative_to(TEMPLATES)}: javascript: URL")
        if re.search(r"<style\b(?![^>]*nonce=)", text, re.IGNORECASE):
            offenders.append(f"{path.relative_to(TEMPLATES)}: inline <style>")
        if re.search(r"\sstyle\s*=\s*[\"']", text, re.IGNORECASE):
            offenders.append(f"{path.relative_to(TEMPLATES)}: style attribute (blocked by the CSP)")
    assert offenders == []
