"""The list pages on a small and a big dataset, interleaved in one run: the ratio is the goal.

Run first: .venv/bin/python bench/make_dataset.py --database-url SMALL [--hearings 1000]
           .venv/bin/python bench/make_dataset.py --database-url BIG --hearings 50000
Then:      .venv/bin/python bench/pages_scale.py --small SMALL --big BIG [--runs N] [--only LABEL]

Issue 18 item 1: every list and summary costs the same at 50k hearings as at 1k (at most 1.5x
the time, the same number of SQL statements). On a shared, loaded machine two runs taken minutes
apart are not comparable, so this renders each page on both databases in turn (small, big,
small, big...) and compares the medians of the same run. Prints one row per page: the median
on each dataset in ms, their ratio, the statements one render sends on each, the size of the
HTML on each (a page that is not full on the small dataset shows fewer rows there, so two
filters are also measured where both pages are full), and the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import event

from scheduler import create_app
from scheduler.extensions import db

PASSWORD = "bench password for testing only"  # noqa: S105  (the synthetic dataset's)
PAGES = {
    "coordinator@bench.test": [
        ("dashboard 50/page", "/hearings/?per_page=50&weeks=4"),
        ("dashboard unfilled + Spanish", "/hearings/?per_page=50&unfilled=1&language=es"),
        # The same filter over 26 weeks: a full page of 50 on the small dataset too.
        ("dashboard unfilled + Spanish 26 wk", "/hearings/?per_page=50&unfilled=1&language=es&weeks=26"),
        ("month calendar", "/hearings/calendar"),
        ("coordinator /shifts", "/shifts"),
        ("people, approved", "/people/?status=approved"),
        ("people, everyone, page 4", "/people/?status=all&page=4"),
        # Matches 11 people of the small dataset's 200 and a full page of 50 of the big one's.
        ("people, search 'lunteer 12'", "/people/?status=all&q=lunteer+12"),
        # Matches 111 of 200: a full page on the small dataset too.
        ("people, search 'lunteer 1'", "/people/?status=all&q=lunteer+1"),
    ],
    "volunteer0@bench.test": [
        ("volunteer /shifts + recommended", "/shifts"),
        # Every open seat, not only their courts': a full page on the small dataset too.
        ("volunteer all seats + recommended", "/shifts?all=1"),
        ("volunteer all seats page 3", "/shifts?page=3&all=1"),
    ],
    "admin@bench.test": [
        ("audit log", "/admin/audit"),
        ("audit log, one action, page 5", "/admin/audit?action=user.approved&page=5"),
    ],
}


def make(url: str) -> Flask:
    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
            "REQUIRE_2FA_FOR_STAFF": False,  # a bench signs in without a phone
        }
    )


def get(
    app: Flask,
    client: FlaskClient,
    url: str,
    counter: list[int] | None = None,
    sizes: list[int] | None = None,
) -> float:
    with app.app_context():
        g.pop("_login_user", None)  # a fresh worker request: no user cached from another client

        def count(*_args: object) -> None:
            counter.append(1) if counter is not None else None

        event.listen(db.engine, "before_cursor_execute", count)
        start = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - start) * 1000
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200, (url, response.status_code)
    if sizes is not None:
        sizes.append(len(response.get_data()))
    return elapsed


def sign_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    with app.app_context():
        g.pop("_login_user", None)
        response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    if response.status_code != 302:
        sys.exit(f"Could not sign in as {email}: run bench/make_dataset.py on this database first.")
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", required=True, help="database URL of the small dataset")
    parser.add_argument("--big", required=True, help="database URL of the big dataset")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--only", default="", help="only pages whose label contains this")
    args = parser.parse_args()
    apps = (make(args.small), make(args.big))
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'page':<34} {'small ms':>9} {'big ms':>9} {'ratio':>6} {'statements':>11} {'HTML kB':>9}")
    for email, pages in PAGES.items():
        clients = tuple(sign_in(app, email) for app in apps)
        for label, url in pages:
            if args.only not in label:
                continue
            counts: tuple[list[int], list[int]] = ([], [])
            sizes: tuple[list[int], list[int]] = ([], [])
            for app, client, counter, size in zip(apps, clients, counts, sizes, strict=True):
                get(app, client, url)  # warm templates and caches
                get(app, client, url, counter, size)
            timings: tuple[list[float], list[float]] = ([], [])
            for _ in range(args.runs):
                for app, client, found in zip(apps, clients, timings, strict=True):
                    found.append(get(app, client, url))
            small, big = (statistics.median(t) for t in timings)
            statements = f"{len(counts[0])} / {len(counts[1])}"
            kb = f"{sizes[0][0] / 1000:.0f} / {sizes[1][0] / 1000:.0f}"
            print(
                f"{label:<34} {small:9.1f} {big:9.1f} {big / small:5.2f}x {statements:>11} {kb:>9}",
                flush=True,
            )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
