"""Public pages and the checks every page must pass."""

from __future__ import annotations


def test_public_pages(browse):
    browse.go("/auth/login", shot="login")
    browse.go("/auth/register", shot="register")
