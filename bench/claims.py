"""Claims under load: gunicorn with several workers on PostgreSQL, many volunteers at once.

Run: .venv/bin/python bench/claims.py [--seconds 30] [--workers 4] [--volunteers 200] [--shifts 500]
     [--threads 16] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Creates its own database (accompany_bench_claims), seeds approved volunteers, a coordinator and
open shifts, starts gunicorn on a free local port, signs every volunteer in through the real
login form (CSRF on), then for --seconds has --threads clients claim (waitlist allowed) and
drop seats concurrently, and for another --seconds has as many clients, signed in as the
coordinator, GET the dashboard (/hearings/) on the same server. Prints claims per second,
p50/p99 latency of the claim and drop requests, dashboard GETs per second and the ratio of
the two (both measured in this run, on this machine, at this load), and three checks: no
shift holds more confirmed people than its capacity, nobody holds two rows on one shift, and
every claim the app answered with "seat" or "waitlist" (and not dropped later) has its row.
Each claim is a POST then a GET of the shift's page (the flash message says what happened);
the latency figures are the POST's. Stops gunicorn and drops the database at the end. Only
talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from scheduler import create_app  # noqa: E402
from scheduler.accounts.registry import hash_password  # noqa: E402
from scheduler.domain.hearings import default_shift_window  # noqa: E402
from scheduler.enums import HearingKind, Role, ShiftRole, SignupStatus, UserStatus  # noqa: E402
from scheduler.extensions import db  # noqa: E402
from scheduler.models import (  # noqa: E402
    Court,
    Hearing,
    HearingLanguage,
    Shift,
    Signup,
    User,
    VolunteerLanguage,
    VolunteerProfile,
    VolunteerRole,
)
from scheduler.types import utcnow  # noqa: E402

DB_NAME = os.environ.get("BENCH_CLAIMS_DB", "accompany_bench_claims")  # make bench sets its own
PASSWORD = "bench password for testing only"  # noqa: S105  (synthetic accounts, deleted at the end)
COORDINATOR = "bench-coordinator@example.test"
DASHBOARD = "/hearings/"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    if os.environ.get("BENCH_PORT"):
        return int(os.environ["BENCH_PORT"])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(url: str, *, volunteers: int, shifts: int) -> None:
    """Courts, approved volunteers (one password hash shared) and one-shift hearings, in bulk."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
    rng = random.Random(4)
    with app.app_context():
        db.create_all()
        courts = [
            Court(name=f"Bench Court {i}", city="Chicago", state="IL", address=f"{i} Bench St", timezone=tz)
            for i, tz in enumerate(
                ("America/Chicago", "America/New_York", "America/Phoenix", "America/Los_Angeles")
            )
        ]
        db.session.add_all(courts)
        password_hash = hash_password(PASSWORD)
        db.session.add(
            User(
                email=COORDINATOR,
                display_name="Bench Coordinator",
                password_hash=password_hash,
                role=Role.COORDINATOR,
                status=UserStatus.APPROVED,
                approved_at=utcnow(),
            )
        )
        for i in range(volunteers):
            user = User(
                email=f"bench{i}@example.test",
                display_name=f"Bench Volunteer {i}",
                password_hash=password_hash,
                role=Role.VOLUNTEER,
                status=UserStatus.APPROVED,
                approved_at=utcnow(),
            )
            user.profile = VolunteerProfile(max_shifts_per_week=6)
            user.profile.languages = [VolunteerLanguage(language="es")]
            user.profile.roles = [VolunteerRole(role=ShiftRole.ACCOMPANIER)]
            db.session.add(user)
        base = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
        for i in range(shifts):
            start = base + timedelta(days=i % 40, hours=rng.choice((0, 2, 4, 6)), minutes=rng.choice((0, 30)))
            hearing = Hearing(
                court=courts[i % len(courts)],
                starts_at=start,
                duration_minutes=60,
                kind=HearingKind.MASTER,
                case_key=uuid.uuid4().hex,
            )
            hearing.languages = [HearingLanguage(language="es")]
            s, e = default_shift_window(role=ShiftRole.ACCOMPANIER, hearing_start=start, duration_minutes=60)
            hearing.shifts = [
                Shift(role=ShiftRole.ACCOMPANIER, capacity=rng.choice((1, 2, 3)), starts_at=s, ends_at=e)
            ]
            db.session.add(hearing)
        db.session.commit()
        db.engine.dispose()


class Volunteer:
    def __init__(self, base: str, email: str) -> None:
        self.base = base
        self.email = email
        self.jar = http.cookiejar.CookieJar()
        no_redirect = type(
            "NoRedirect", (urllib.request.HTTPRedirectHandler,), {"redirect_request": lambda *a: None}
        )
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), no_redirect)
        self.token = ""
        self.holding: dict[int, str] = {}  # shift id -> "confirmed" / "waitlisted", as the app said

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def csrf_from(self, html: str) -> str:
        match = TOKEN.search(html)
        return (match.group(1) or match.group(2)) if match else ""

    def login(self, *, posts: bool = True) -> None:
        _, page = self.request("/auth/login")
        status, _ = self.request(
            "/auth/login", {"email": self.email, "password": PASSWORD, "csrf_token": self.csrf_from(page)}
        )
        if status != 302:
            raise RuntimeError(f"login failed for {self.email}: {status}")
        if not posts:
            return
        _, page = self.request("/commitments")
        self.token = self.csrf_from(page)


def outcome_of(html: str) -> str:
    if "You have a seat" in html:
        return "confirmed"
    if "You are on the waitlist" in html:
        return "waitlisted"
    if "already have this seat" in html:
        return "already"
    return "refused"


def run_load(people: list[Volunteer], shift_ids: list[int], seconds: float, threads: int) -> dict:
    claim_ms: list[float] = []
    drop_ms: list[float] = []
    outcomes: Counter = Counter()
    errors: Counter = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(mine: list[Volunteer], seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            person = rng.choice(mine)
            if person.holding and rng.random() < 0.3:
                shift_id = rng.choice(list(person.holding))
                started = time.perf_counter()
                status, _ = person.request(
                    f"/shifts/{shift_id}/drop", {"csrf_token": person.token, "reason": "bench"}
                )
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    drop_ms.append(elapsed)
                    if status == 302:
                        person.holding.pop(shift_id, None)
                    else:
                        errors[f"drop {status}"] += 1
                continue
            shift_id = rng.choice(shift_ids)
            started = time.perf_counter()
            status, _ = person.request(
                f"/shifts/{shift_id}/claim", {"csrf_token": person.token, "waitlist": "1"}
            )
            elapsed = (time.perf_counter() - started) * 1000
            if status != 302:
                with lock:
                    errors[f"claim {status}"] += 1
                continue
            _, page = person.request(f"/shifts/{shift_id}")  # the flash message says what happened
            result = outcome_of(page)
            with lock:
                claim_ms.append(elapsed)
                outcomes[result] += 1
                if result in ("confirmed", "waitlisted"):
                    person.holding[shift_id] = result

    groups = [people[i::threads] for i in range(threads)]
    pool = [threading.Thread(target=worker, args=(g, i)) for i, g in enumerate(groups) if g]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return {"claim_ms": claim_ms, "drop_ms": drop_ms, "outcomes": outcomes, "errors": errors}


def run_gets(clients: list[Volunteer], path: str, seconds: float) -> dict:
    """Each client GETs ``path`` back to back for ``seconds``, all at once."""
    took_ms: list[float] = []
    errors: Counter = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(client: Volunteer) -> None:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            status, _ = client.request(path)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if status == 200:
                    took_ms.append(elapsed)
                else:
                    errors[f"GET {path} {status}"] += 1

    pool = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return {"ms": took_ms, "errors": errors}


def sign_in(people: list[Volunteer], *, posts: bool = True) -> None:
    logins = [threading.Thread(target=p.login, kwargs={"posts": posts}) for p in people]
    for i in range(0, len(logins), 16):
        batch = logins[i : i + 16]
        for t in batch:
            t.start()
        for t in batch:
            t.join()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def check(url: str, people: list[Volunteer]) -> tuple[int, int, int]:
    """(shifts over capacity, people with two rows on a shift, claims the app confirmed that have no row)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        filled = (
            select(Signup.shift_id, func.count().label("n"))
            .where(Signup.status == SignupStatus.CONFIRMED)
            .group_by(Signup.shift_id)
            .subquery()
        )
        over = conn.scalar(
            select(func.count())
            .select_from(filled.join(Shift, Shift.id == filled.c.shift_id))
            .where(filled.c.n > Shift.capacity)
        )
        twice = conn.scalar(
            select(func.count()).select_from(
                select(Signup.shift_id, Signup.user_id)
                .group_by(Signup.shift_id, Signup.user_id)
                .having(func.count() > 1)
                .subquery()
            )
        )
        rows = {
            (email, shift_id): status
            for email, shift_id, status in conn.execute(
                select(User.email, Signup.shift_id, Signup.status).join(User, User.id == Signup.user_id)
            )
        }
    engine.dispose()
    holding = {SignupStatus.CONFIRMED.value, SignupStatus.WAITLISTED.value}
    lost = sum(
        1
        for person in people
        for shift_id in person.holding
        if str(rows.get((person.email, shift_id), "")) not in holding
    )
    return over, twice, lost


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--volunteers", type=int, default=200)
    parser.add_argument("--shifts", type=int, default=500)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    url = make_url(args.pg_url).set(database=DB_NAME).render_as_string(hide_password=False)
    server = None
    instance = tempfile.TemporaryDirectory(prefix="bench-claims-")
    try:
        t0 = time.perf_counter()
        seed(url, volunteers=args.volunteers, shifts=args.shifts)
        took = time.perf_counter() - t0
        print(f"seeded {args.volunteers} volunteers and {args.shifts} shifts in {took:.1f} s")
        port = free_port()
        config = Path(instance.name) / "gunicorn.conf.py"
        config.write_text("# empty: the bench sets everything on the command line\n")
        env = dict(
            os.environ,
            SCHEDULER_DATABASE_URL=url,
            # A fresh random key per run; all workers share it through the environment.
            SCHEDULER_SECRET_KEY=secrets.token_hex(32),
            SCHEDULER_INSTANCE_PATH=instance.name,
            SCHEDULER_RATELIMIT_ENABLED="false",
            SCHEDULER_MAIL_BACKEND="memory",
            # The coordinator signs in with a password only (the bench measures pages, not 2FA).
            SCHEDULER_REQUIRE_2FA_FOR_STAFF="false",
        )
        server = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "--config",
                str(config),
                "--workers",
                str(args.workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        people = [Volunteer(base, f"bench{i}@example.test") for i in range(args.volunteers)]
        coordinators = [Volunteer(base, COORDINATOR) for _ in range(args.threads)]
        t0 = time.perf_counter()
        sign_in(people)
        sign_in(coordinators, posts=False)
        took = time.perf_counter() - t0
        print(f"signed in {len(people)} volunteers and {args.threads} coordinator clients in {took:.1f} s")
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
        with app.app_context():
            shift_ids = list(db.session.scalars(select(Shift.id)))
            db.engine.dispose()
        result = run_load(people, shift_ids, args.seconds, args.threads)
        gets = run_gets(coordinators, DASHBOARD, args.seconds)
        over, twice, lost = check(url, people)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        admin.dispose()
        instance.cleanup()

    claims, drops = result["claim_ms"], result["drop_ms"]
    print(f"gunicorn workers: {args.workers}, client threads: {args.threads}, duration: {args.seconds:.0f} s")
    print(f"claims: {len(claims)} ({len(claims) / args.seconds:.1f}/s)  outcomes: {dict(result['outcomes'])}")
    p50 = statistics.median(claims) if claims else 0
    print(f"claim latency: p50 {p50:.1f} ms, p99 {percentile(claims, 99):.1f} ms")
    print(
        f"drops: {len(drops)}  latency p50 {statistics.median(drops) if drops else 0:.1f} ms, "
        f"p99 {percentile(drops, 99):.1f} ms"
    )
    dashboard = gets["ms"]
    claims_per_s, gets_per_s = len(claims) / args.seconds, len(dashboard) / args.seconds
    print(
        f"dashboard GETs ({DASHBOARD}, {len(coordinators)} clients): {len(dashboard)} ({gets_per_s:.1f}/s)  "
        f"latency p50 {statistics.median(dashboard) if dashboard else 0:.1f} ms, "
        f"p99 {percentile(dashboard, 99):.1f} ms"
    )
    ratio = claims_per_s / gets_per_s if gets_per_s else 0.0
    print(f"claims/s to dashboard GETs/s, same run: {ratio:.2f}")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    errors = result["errors"] + gets["errors"]
    if errors:
        print(f"unexpected responses: {dict(errors)}")
    print(f"shifts over capacity: {over}  {'OK' if over == 0 else 'FAIL'}")
    print(f"duplicate seats (one person twice on a shift): {twice}  {'OK' if twice == 0 else 'FAIL'}")
    print(f"signups the app confirmed but lost: {lost}  {'OK' if lost == 0 else 'FAIL'}")
    return 0 if over == 0 and twice == 0 and lost == 0 and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
