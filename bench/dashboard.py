"""Render time and query count of the coordinator's and volunteers' pages on a big database.

Run first: .venv/bin/python bench/make_dataset.py [--database-url URL]
Then:      .venv/bin/python bench/dashboard.py [--database-url URL] [--runs N] [--per-page N] [--weeks N]
           [--volunteer EMAIL]

Renders /healthz (the baseline: a minimal response of the same app), then signs in as the
dataset's coordinator through the Flask test client and renders the dashboard (and the month
calendar), the open shifts as a coordinator sees them and the people list (its statuses, its
search, a later page) N times, then as a volunteer the open shifts with "Recommended for you" and
the home page, and as the admin the audit log (and its filters). Prints the median and 95th
percentile in milliseconds, the ratio of the median to /healthz's, and the number of SQL
statements one render runs (target: median under 200 ms; the query count must not change with
--per-page or with the size of the database).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import g
from sqlalchemy import event

from scheduler import create_app
from scheduler.extensions import db

DEFAULT_URL = "sqlite:////tmp/accompany-bench.sqlite3"
PASSWORD = "bench password for testing only"  # noqa: S105  (the synthetic dataset's)


def get(client, url: str):
    """One request as a fresh worker request would run it: the requests share the bench's app
    context (and its `g`), so Flask-Login's cached user is dropped first, or a second client
    would be served as the first one's user."""
    g.pop("_login_user", None)
    return client.get(url)


def sign_in(client, email: str):
    g.pop("_login_user", None)  # else the sign-in page sees the previous client's user, signed in
    return client.post("/auth/login", data={"email": email, "password": PASSWORD})


def measure(client, url: str, runs: int) -> tuple[float, float, int]:
    counter = {"n": 0}

    def count(*_args: object) -> None:
        counter["n"] += 1

    get(client, url)  # warm caches and templates
    event.listen(db.engine, "before_cursor_execute", count)
    response = get(client, url)
    event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.status_code
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        get(client, url)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    return statistics.median(timings), p95, counter["n"]


def report(label: str, median: float, p95: float, queries: int, baseline: float) -> None:
    print(
        f"  {label:<36} median {median:7.1f} ms   p95 {p95:7.1f} ms   {queries} SQL statements"
        f"   {median / baseline:7.1f}x /healthz",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--per-page", type=int, default=50)
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--volunteer", default="volunteer0@bench.test")
    args = parser.parse_args()
    app = create_app(
        {
            "DATABASE_URL": args.database_url,
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
            "REQUIRE_2FA_FOR_STAFF": False,  # a bench signs in without a phone
        }
    )
    with app.app_context():
        print(f"{args.runs} renders each on {args.database_url}")
        client = app.test_client()
        health = measure(client, "/healthz", args.runs * 3)
        report("/healthz (baseline)", *health, baseline=health[0])
        login = sign_in(client, "coordinator@bench.test")
        if login.status_code != 302:
            sys.exit("Could not sign in: run bench/make_dataset.py on this database first.")
        pages = [
            (
                f"dashboard, {args.per_page} per page",
                f"/hearings/?per_page={args.per_page}&weeks={args.weeks}",
            ),
            ("dashboard, 10 per page", f"/hearings/?per_page=10&weeks={args.weeks}"),
            ("dashboard, 200 per page", f"/hearings/?per_page=200&weeks={args.weeks}"),
            (
                "dashboard, only unfilled, Spanish",
                f"/hearings/?per_page={args.per_page}&unfilled=1&language=es",
            ),
            ("month calendar", "/hearings/calendar"),
            ("coordinator: open shifts", "/shifts"),
            ("coordinator: all open shifts", "/shifts?all=1"),
            ("people, approved", "/people/?status=approved"),
            ("people, everyone, page 4", "/people/?status=all&page=4"),
            ("people, search 'lunteer 12'", "/people/?status=all&q=lunteer+12"),
        ]
        for label, url in pages:
            report(label, *measure(client, url, args.runs), baseline=health[0])
        volunteer = app.test_client()
        login = sign_in(volunteer, args.volunteer)
        if login.status_code != 302:
            sys.exit(f"Could not sign in as {args.volunteer}.")
        for label, url in [
            ("volunteer: open shifts + recommended", "/shifts"),
            ("volunteer: open shifts, page 3", "/shifts?page=3&all=1"),
            ("volunteer: my commitments", "/commitments"),
        ]:
            report(label, *measure(volunteer, url, args.runs), baseline=health[0])
        admin = app.test_client()
        login = sign_in(admin, "admin@bench.test")
        if login.status_code != 302:
            sys.exit("Could not sign in as admin@bench.test.")
        for label, url in [
            ("admin: audit log", "/admin/audit"),
            ("admin: audit log, one action, page 5", "/admin/audit?action=user.approved&page=5"),
        ]:
            report(label, *measure(admin, url, args.runs), baseline=health[0])


if __name__ == "__main__":
    main()
