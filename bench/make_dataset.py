"""Fill a database with a network's worth of data: 10,000 hearings, 2,000 volunteers, 50,000 signups.

Run: .venv/bin/python bench/make_dataset.py [--database-url URL] [--hearings N] [--volunteers N]
     [--signups N] [--seed N] [--no-analyze]

Default database: sqlite:////tmp/accompany-bench.sqlite3 (dropped and rebuilt). Bulk inserts
(executemany through ``session.execute(insert(Model), rows)``) and one password hash for
everyone keep it to seconds. Prints the time of each step. Signs in as
coordinator@bench.test / admin@bench.test (and volunteerN@bench.test) with the password printed
at the end. Volunteers get weekly availability and preferred courts (from their own random
stream, so the rest of the dataset is the same as before for a given seed). Ends with ANALYZE
(VACUUM ANALYZE on PostgreSQL), so the planner's statistics are fresh and the pages all-visible,
as autovacuum leaves them on a live database soon after a bulk load (rather than autovacuum
starting in the middle of a bench and changing its plans);
--no-analyze leaves them empty instead (and turns autovacuum off for the new tables on
PostgreSQL), to check the plans a freshly loaded database gets before any statistics.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from datetime import time as dtime
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select, text

from scheduler import create_app
from scheduler.accounts.registry import hash_password
from scheduler.courts.catalogue import import_courts
from scheduler.data import __file__ as data_init
from scheduler.domain.hearings import default_shift_window
from scheduler.domain.timezones import local_to_utc
from scheduler.enums import HearingKind, HearingStatus, Role, ShiftRole, ShiftStatus, SignupStatus, UserStatus
from scheduler.extensions import db
from scheduler.models import (
    AuditEvent,
    AvailabilityWindow,
    Court,
    Hearing,
    HearingLanguage,
    Shift,
    Signup,
    User,
    VolunteerLanguage,
    VolunteerProfile,
    VolunteerRole,
    volunteer_preferred_courts,
)
from scheduler.models.local_week import week_columns
from scheduler.types import utcnow

DEFAULT_URL = "sqlite:////tmp/accompany-bench.sqlite3"
PASSWORD = "bench password for testing only"  # noqa: S105  (a synthetic dataset)
LANGUAGES = ["es"] * 12 + ["pt", "ht", "zh", "pa", "mam", "quc", "kjb", "fr", "ar"]
KINDS = [HearingKind.MASTER] * 5 + [HearingKind.INDIVIDUAL] * 2 + [HearingKind.BOND, HearingKind.ICE_CHECKIN]
TIMES = [(8, 30), (9, 0), (9, 0), (10, 0), (13, 0), (13, 30), (14, 0)]


class Timer:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    def step(self, label: str) -> None:
        now = time.perf_counter()
        print(f"  {label:<32} {now - self.start:7.2f} s", flush=True)
        self.start = now


def build(url: str, *, hearings: int, volunteers: int, signups: int, seed: int, analyze: bool = True) -> None:
    rng = random.Random(seed)
    if url.startswith("sqlite:////"):
        # A fresh file is much faster than dropping 10,000 hearings' worth of tables.
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    total = time.perf_counter()
    timer = Timer()
    with app.app_context():
        db.drop_all()
        db.create_all()
        if not analyze and db.engine.dialect.name == "postgresql":
            for table in db.metadata.sorted_tables:
                db.session.execute(text(f'ALTER TABLE "{table.name}" SET (autovacuum_enabled = false)'))
            db.session.commit()
        timer.step("schema")
        csv_text = (Path(data_init).parent / "immigration_courts.csv").read_text(encoding="utf-8")
        import_courts(db.session, text=csv_text, actor=None)
        db.session.commit()
        courts = list(db.session.execute(select(Court.id, Court.timezone)))
        timer.step(f"{len(courts)} courts")

        password_hash = hash_password(PASSWORD)
        stamp = utcnow()
        people = [
            {"email": "admin@bench.test", "display_name": "Bench Admin", "role": Role.ADMIN},
            {
                "email": "coordinator@bench.test",
                "display_name": "Bench Coordinator",
                "role": Role.COORDINATOR,
            },
        ] + [
            {"email": f"volunteer{n}@bench.test", "display_name": f"Volunteer {n}", "role": Role.VOLUNTEER}
            for n in range(volunteers)
        ]
        for person in people:
            person.update(
                password_hash=password_hash,
                status=UserStatus.APPROVED,
                locale="en",
                session_version=1,
                created_at=stamp,
                updated_at=stamp,
                approved_at=stamp,
            )
        user_ids = list(
            db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), people)
        )
        volunteer_ids = user_ids[2:]
        _insert(
            VolunteerProfile,
            [
                {
                    "user_id": uid,
                    "has_car": rng.random() < 0.3,
                    "max_shifts_per_week": rng.randint(1, 4),
                    "updated_at": stamp,
                }
                for uid in volunteer_ids
            ],
        )
        _insert(
            VolunteerLanguage,
            [
                {"user_id": uid, "language": code}
                for uid in volunteer_ids
                for code in {"en", rng.choice(LANGUAGES)}
            ],
        )
        _insert(VolunteerRole, [{"user_id": uid, "role": ShiftRole.ACCOMPANIER} for uid in volunteer_ids])
        _add_preferences(random.Random(seed + 1), volunteer_ids, [c for c, _ in courts])
        db.session.commit()
        timer.step(f"{len(people)} people")

        today = stamp.date()
        hearing_rows, plans = [], []
        for _ in range(hearings):
            court_id, tz_name = rng.choice(courts)
            day = today + timedelta(days=rng.randint(-30, 180))
            while day.weekday() >= 5:
                day += timedelta(days=1)
            hour, minute = rng.choice(TIMES)
            starts_at = local_to_utc(day, dtime(hour, minute), tz_name)
            kind = rng.choice(KINDS)
            duration = 180 if kind == HearingKind.INDIVIDUAL else 60
            hearing_rows.append(
                {
                    "court_id": court_id,
                    "starts_at": starts_at,
                    "duration_minutes": duration,
                    "kind": kind,
                    "status": HearingStatus.CANCELLED if rng.random() < 0.03 else HearingStatus.SCHEDULED,
                    "courtroom": str(rng.randint(1, 20)),
                    "judge": "",
                    "respondent_ref": f"R{rng.randint(1, 999)}",
                    "meeting_point": "Lobby",
                    "public_notes": "",
                    "private_notes": "",
                    "outcome_note": "",
                    "cancel_reason": "",
                    "date_confirmed": rng.random() < 0.6,
                    "version": 1,
                    "case_key": uuid.uuid4().hex,
                    "created_at": stamp,
                    "updated_at": stamp,
                }
            )
            seats = {ShiftRole.ACCOMPANIER: rng.randint(1, 3)}
            if rng.random() < 0.6:
                seats[ShiftRole.INTERPRETER] = 1
            if rng.random() < 0.3:
                seats[ShiftRole.DRIVER] = 1
            plans.append((starts_at, duration, seats, tz_name))
        hearing_ids = list(
            db.session.scalars(
                insert(Hearing).returning(Hearing.id, sort_by_parameter_order=True), hearing_rows
            )
        )
        _insert(
            HearingLanguage,
            [{"hearing_id": hid, "language": rng.choice(LANGUAGES)} for hid in hearing_ids],
        )
        shift_rows = []
        for hid, (starts_at, duration, seats, tz_name) in zip(hearing_ids, plans, strict=True):
            for role, capacity in seats.items():
                start, end = default_shift_window(
                    role=role, hearing_start=starts_at, duration_minutes=duration
                )
                shift_rows.append(
                    {
                        "hearing_id": hid,
                        "role": role,
                        "capacity": capacity,
                        "starts_at": start,
                        "ends_at": end,
                        "status": ShiftStatus.OPEN,
                        "created_at": stamp,
                        "updated_at": stamp,
                        **week_columns(start, end, tz_name),
                    }
                )
        shift_ids = list(
            db.session.scalars(insert(Shift).returning(Shift.id, sort_by_parameter_order=True), shift_rows)
        )
        db.session.commit()
        timer.step(f"{len(hearing_ids)} hearings, {len(shift_ids)} shifts")

        capacity = {sid: row["capacity"] for sid, row in zip(shift_ids, shift_rows, strict=True)}
        taken: dict[int, int] = {}
        pairs: set[tuple[int, int]] = set()
        signup_rows = []
        while len(signup_rows) < signups:
            sid = rng.choice(shift_ids)
            uid = rng.choice(volunteer_ids)
            if (sid, uid) in pairs:
                continue
            pairs.add((sid, uid))
            seated = taken.get(sid, 0)
            if rng.random() < 0.05:
                status = SignupStatus.DROPPED
            elif seated < capacity[sid]:
                status = SignupStatus.CONFIRMED
                taken[sid] = seated + 1
            else:
                status = SignupStatus.WAITLISTED
            signup_rows.append(
                {
                    "shift_id": sid,
                    "user_id": uid,
                    "status": status,
                    "team_lead": False,
                    "waitlisted_at": stamp if status == SignupStatus.WAITLISTED else None,
                    "status_changed_at": stamp,
                    "drop_reason": "",
                    "dropped_late": False,
                    "override_reason": "",
                    "created_at": stamp,
                    "updated_at": stamp,
                }
            )
        _insert(Signup, signup_rows)
        db.session.commit()
        timer.step(f"{len(signup_rows)} signups")
        events = _add_audit_trail(random.Random(seed + 1), n=hearings * 2, actor_ids=user_ids[:2])
        db.session.commit()
        timer.step(f"{events} audit events")
        if analyze:
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text("VACUUM ANALYZE"))
                timer.step("VACUUM ANALYZE")
            else:
                db.session.execute(text("ANALYZE"))
                db.session.commit()
                timer.step("ANALYZE")
    print(f"Dataset ready in {time.perf_counter() - total:.1f} s: {url}")
    print(f"Sign in as coordinator@bench.test or admin@bench.test with: {PASSWORD}")


def _add_preferences(rng: random.Random, volunteer_ids: list[int], court_ids: list[int]) -> None:
    """Two or three weekday windows and one or two preferred courts per volunteer."""
    windows = []
    for uid in volunteer_ids:
        for day in rng.sample(range(5), rng.randint(2, 3)):
            start, end = rng.choice([(7, 12), (7, 17), (12, 17)])
            windows.append(
                {"user_id": uid, "weekday": day, "start_time": dtime(start), "end_time": dtime(end)}
            )
    _insert(AvailabilityWindow, windows)
    preferred = [
        {"user_id": uid, "court_id": court_id}
        for uid in volunteer_ids
        for court_id in rng.sample(court_ids, rng.randint(1, 2))
    ]
    _insert(volunteer_preferred_courts, preferred)


AUDIT_ACTIONS = (
    [
        ("hearing", a)
        for a in ("hearing.created", "hearing.updated", "hearing.rescheduled", "hearing.cancelled")
    ]
    + [("user", a) for a in ("user.approved", "user.suspended", "user.role_changed", "user.locked_down")]
    + [("shift", a) for a in ("shift.override", "shift.removed", "shift.cancelled")]
    + [("feed", "feed.revoked"), ("court", "courts.imported"), ("setting", "security.settings_changed")]
)


def _add_audit_trail(rng: random.Random, *, n: int, actor_ids: list[int]) -> int:
    """Two audit events per hearing over the past year (the audit log's page and its filters),
    from their own random stream, so the rest of the dataset stays the same for a seed."""
    now = utcnow()
    rows = []
    for k in range(n):
        object_type, action = rng.choice(AUDIT_ACTIONS)
        rows.append(
            {
                "created_at": now - timedelta(minutes=(n - k) * 5),
                "actor_id": rng.choice(actor_ids),
                "action": action,
                "object_type": object_type,
                "object_id": rng.randint(1, 50_000),
                "details": {},
            }
        )
    _insert(AuditEvent, rows)
    return len(rows)


def _insert(model: type, rows: list[dict], chunk: int = 10_000) -> None:
    for i in range(0, len(rows), chunk):
        db.session.execute(insert(model), rows[i : i + chunk])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--hearings", type=int, default=10_000)
    parser.add_argument("--volunteers", type=int, default=2_000)
    parser.add_argument("--signups", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-analyze", action="store_true", help="leave the planner without statistics")
    args = parser.parse_args()
    print(f"Building {args.hearings} hearings, {args.volunteers} volunteers, {args.signups} signups")
    build(
        args.database_url,
        hearings=args.hearings,
        volunteers=args.volunteers,
        signups=args.signups,
        seed=args.seed,
        analyze=not args.no_analyze,
    )


if __name__ == "__main__":
    main()
