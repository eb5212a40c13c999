"""How long a 2,000-row hearing import takes to preview and to commit (target: under 5 s each).

Also prints how many SQL statements the commit request runs (a handful per 100 rows).

Run: .venv/bin/python bench/import_hearings.py [--database-url URL] [--rows N]

Uses a fresh database (default a SQLite file under /tmp, rebuilt) with the immigration courts,
uploads a generated CSV through the Flask test client as a coordinator, then times the preview
page and the commit request, as a coordinator would wait for them.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, func, select

from scheduler import create_app
from scheduler.accounts.registry import hash_password
from scheduler.courts.catalogue import import_courts
from scheduler.data import __file__ as data_init
from scheduler.domain.hearing_import import COLUMNS
from scheduler.enums import Role, UserStatus
from scheduler.extensions import db
from scheduler.models import Court, Hearing, User
from scheduler.types import utcnow

DEFAULT_URL = "sqlite:////tmp/accompany-import-bench.sqlite3"
PASSWORD = "bench password for testing only"  # noqa: S105  (synthetic)


def make_csv(court_names: list[str], rows: int) -> str:
    rng = random.Random(3)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    today = utcnow().date()
    for n in range(rows):
        writer.writerow(
            {
                "court": rng.choice(court_names),
                "date": (today + timedelta(days=rng.randint(3, 120))).isoformat(),
                "time": rng.choice(["08:30", "09:00", "10:00", "13:00", "14:30"]),
                "duration_minutes": "60",
                "kind": rng.choice(["master", "individual", "bond"]),
                "courtroom": str(rng.randint(1, 20)),
                "languages": rng.choice(["es", "es;mam", "pt", "ht"]),
                "respondent_ref": f"Person {n}",
                "accompaniers": str(rng.randint(1, 3)),
                "interpreters": "1",
                "drivers": str(rng.randint(0, 1)),
                "meeting_point": "Lobby",
                "date_confirmed": "yes",
            }
        )
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()
    config = {
        "DATABASE_URL": args.database_url,
        "SECRET_KEY": "bench",
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,
        "REQUIRE_2FA_FOR_STAFF": False,  # a bench signs in without a phone
        "HEARING_IMPORT_DIR": tempfile.mkdtemp(prefix="hearing-import-bench-"),
    }
    app = create_app(config)
    with app.app_context():
        db.drop_all()
        db.create_all()
        csv_text = (Path(data_init).parent / "immigration_courts.csv").read_text(encoding="utf-8")
        import_courts(db.session, text=csv_text, actor=None)
        db.session.add(
            User(
                email="coordinator@bench.test",
                display_name="Bench Coordinator",
                password_hash=hash_password(PASSWORD),
                role=Role.COORDINATOR,
                status=UserStatus.APPROVED,
            )
        )
        db.session.commit()
        names = list(db.session.scalars(select(Court.name)))
        text = make_csv(names, args.rows)
        client = app.test_client()
        client.post("/auth/login", data={"email": "coordinator@bench.test", "password": PASSWORD})

        start = time.perf_counter()
        upload = client.post(
            "/hearings/import",
            data={"file": (io.BytesIO(text.encode()), "hearings.csv")},
            content_type="multipart/form-data",
        )
        preview = client.get(upload.headers["Location"])
        preview_s = time.perf_counter() - start
        assert preview.status_code == 200 and b"Import these hearings" in preview.data, "preview has errors"

        statements = {"n": 0}

        def count(*_args: object) -> None:
            statements["n"] += 1

        event.listen(db.engine, "before_cursor_execute", count)
        start = time.perf_counter()
        commit = client.post(upload.headers["Location"])
        commit_s = time.perf_counter() - start
        event.remove(db.engine, "before_cursor_execute", count)
        stored = db.session.scalar(select(func.count()).select_from(Hearing))
        assert commit.status_code == 302 and stored == args.rows, (commit.status_code, stored)
        print(f"{args.rows} rows on {args.database_url}")
        print(f"  upload + preview   {preview_s:6.2f} s")
        print(f"  commit             {commit_s:6.2f} s   ({stored} hearings stored)")
        print(
            f"  commit request: {statements['n']} SQL statements "
            f"({100 * statements['n'] / args.rows:.1f} per 100 rows)"
        )


if __name__ == "__main__":
    main()
