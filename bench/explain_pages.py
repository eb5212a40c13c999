"""EXPLAIN ANALYZE every statement of the list pages on PostgreSQL: which read a whole table.

Run first: .venv/bin/python bench/make_dataset.py --database-url URL [--no-analyze]
Then:      .venv/bin/python bench/explain_pages.py --database-url URL [--verbose]

Signs in as the dataset's coordinator, a volunteer and the admin (as bench/dashboard.py does),
renders each page of issue 18 item 1 once, and runs EXPLAIN (ANALYZE, FORMAT JSON) on every
statement it sent, with its parameters. Prints, per page, the statements and their time, and
flags each sequential scan of a table holding more than --min-rows rows (a plan that reads the
whole table whatever the page shows). Run it on a dataset with fresh statistics and on one
generated with --no-analyze (no statistics at all): the plans must hold in both.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import g
from sqlalchemy import event, text

from scheduler import create_app
from scheduler.extensions import db

PASSWORD = "bench password for testing only"  # noqa: S105  (the synthetic dataset's)
PAGES = {
    "coordinator@bench.test": [
        ("dashboard", "/hearings/?per_page=50&weeks=4"),
        ("dashboard, unfilled, Spanish", "/hearings/?per_page=50&unfilled=1&language=es"),
        ("month calendar", "/hearings/calendar"),
        ("coordinator: open shifts", "/shifts"),
        ("coordinator: all open shifts", "/shifts?all=1"),
        ("people, approved", "/people/?status=approved"),
        ("people, pending", "/people/?status=pending"),
        ("people, everyone, page 4", "/people/?status=all&page=4"),
        ("people, search", "/people/?status=all&q=lunteer+12"),
    ],
    "volunteer0@bench.test": [
        ("volunteer: open shifts + recommended", "/shifts"),
        ("volunteer: all open shifts, page 3", "/shifts?page=3&all=1"),
    ],
    "admin@bench.test": [
        ("admin: audit log", "/admin/audit"),
        ("admin: audit log, one action, page 5", "/admin/audit?action=user.approved&page=5"),
        ("admin: audit log, since a date", "/admin/audit?since=2026-11-01"),
    ],
}


def scans(plan: dict, found: list[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
    """Every scan node: (node type, relation, rows it read: actual rows plus rows filtered out)."""
    if "Relation Name" in plan:
        read = plan.get("Actual Rows", 0) * plan.get("Actual Loops", 1) + plan.get(
            "Rows Removed by Filter", 0
        )
        found.append((plan["Node Type"], plan["Relation Name"], read))
    for child in plan.get("Plans", []):
        scans(child, found)
    return found


def explain(statement: str, parameters: object) -> tuple[float, list[tuple[str, str, float]]]:
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
        result = cursor.fetchone()[0]
        raw.rollback()
    finally:
        raw.close()
    top = (json.loads(result) if isinstance(result, str) else result)[0]
    return top["Execution Time"], scans(top["Plan"], [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--min-rows", type=int, default=5_000)
    parser.add_argument("--verbose", action="store_true", help="print every scan, not only full ones")
    parser.add_argument("--only", default="", help="only the pages whose label contains this")
    args = parser.parse_args()
    app = create_app(
        {
            "DATABASE_URL": args.database_url,
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
            "REQUIRE_2FA_FOR_STAFF": False,
        }
    )
    with app.app_context():
        sizes = dict(
            db.session.execute(
                # Rows counted on insert, or estimated by the last ANALYZE (a copied database
                # starts with no insert counts): whichever is larger.
                text(
                    "SELECT s.relname, greatest(s.n_live_tup, c.reltuples::bigint) FROM pg_stat_user_tables s"
                    " JOIN pg_class c ON c.oid = s.relid"
                )
            ).all()
        )
        stats = db.session.scalar(text("SELECT count(*) FROM pg_stats WHERE schemaname = 'public'"))
        db.session.rollback()
        print(f"{args.database_url}: {stats} pg_stats rows (0 = no statistics)")
        flagged = 0
        for email, pages in PAGES.items():
            client = app.test_client()
            g.pop("_login_user", None)
            client.post("/auth/login", data={"email": email, "password": PASSWORD})
            for label, url in pages:
                if args.only not in label:
                    continue
                seen: list[tuple[str, object]] = []

                def note(_conn, _cursor, statement, parameters, _context, _many, seen=seen) -> None:
                    seen.append((statement, parameters))

                g.pop("_login_user", None)
                event.listen(db.engine, "before_cursor_execute", note)
                response = client.get(url)
                event.remove(db.engine, "before_cursor_execute", note)
                if response.status_code != 200:
                    print(f"  {label:<40} HTTP {response.status_code} (a statement passed the timeout?)")
                    continue
                total, lines = 0.0, []
                for statement, parameters in seen:
                    if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                        continue
                    ms, nodes = explain(statement, parameters)
                    total += ms
                    full = [
                        (node, rel, read)
                        for node, rel, read in nodes
                        if node == "Seq Scan" and sizes.get(rel, 0) > args.min_rows
                    ]
                    flagged += len(full)
                    shown = nodes if args.verbose else full
                    if shown:
                        head = " ".join(statement.split())[:90]
                        lines.append(f"      {ms:8.2f} ms  {head}")
                        lines += [
                            f"          {'FULL ' if (n, r, x) in full else ''}{n} on {r}: {x:.0f} rows read"
                            for n, r, x in shown
                        ]
                print(f"  {label:<40} {len(seen):3d} statements  {total:8.2f} ms in the database")
                print("\n".join(lines)) if lines else None
        print(f"{flagged} sequential scans of tables over {args.min_rows} rows")


if __name__ == "__main__":
    main()
