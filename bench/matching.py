"""Speed and quality of matching and planning, on synthetic data in memory (no database).

Run: .venv/bin/python bench/matching.py [--seed N] [--time-limit S] [--db] [--seats N] [--volunteers N]
     [--load N]

Prints:
* ranking 5,000 volunteers for one seat (median of 21 runs; target < 100 ms);
* a plan for 1,000 seats and 2,000 volunteers over four weeks (target: the candidate search
  and the solve within the planner's time limit, 10 s, which covers both: the search stops at
  its share of the limit and the solve gets what is left), split into finding the candidates
  and solving, with how many shifts the search reached in time, then the same
  again (candidates and plan) with background load the bench makes itself: --load busy
  processes (default one per core) spinning while it runs, as the app's workers would when
  serving traffic; the solve time under load as a ratio to the quiet one, the objective and
  the proved gap for both as ratios to greedy, and the load average;
* the same plan solved as one model instead of its independent parts;
* a plan of the same size with every trap below in a crowd (bench/plan_instances.py
  ``at_scale``), where greedy falls short: quiet, with a twentieth of the time limit (the
  solver is stopped early: its plan starts from greedy's and the proved gap says how close it
  is), and under the same background load;
* seats filled by the plan against the greedy baseline (must be at least equal);
* the plan's weighted fill against the LP relaxation bound (target gap < 2 %), and the gap the
  solver proved itself (what the coordinator's page shows);
* for each instance where greedy is worse (bench/plan_instances.py: scarce bilingual
  interpreters across clashing hearings, continuity, travel buffers), the optimiser's objective
  (weighted seats filled), greedy's and the LP bound side by side;
* with --db, suggestions for one shift loaded from a database (loading is not in the target).

The instance aims to look like a real network: six courts in three time zones, Spanish most
common and Indigenous Guatemalan languages among the rest, two to four available weekdays per
person, weekly caps of 1 to 4, some seats already held, a history of past seats.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scheduler.domain.candidate_search import SEARCH_SHARE, ClockDeadline, candidates_for_seats
from scheduler.domain.eligibility import (
    Commitment,
    Rules,
    SeatFacts,
    VolunteerFacts,
    Window,
    schedule_of,
    week_of,
)
from scheduler.domain.hearings import default_shift_window
from scheduler.domain.matching import (
    DEFAULT_WEIGHTS,
    History,
    MatchSeat,
    max_score,
    rank,
)
from scheduler.domain.planner import (
    PlanSeat,
    build_problem,
    greedy,
    lp_bound,
    plan,
    seat_priority,
    violations,
)
from scheduler.domain.timezones import local_to_utc
from scheduler.enums import HearingKind, ShiftRole

COURTS = [
    (1, "America/New_York"),
    (2, "America/New_York"),
    (3, "America/Chicago"),
    (4, "America/Chicago"),
    (5, "America/Los_Angeles"),
    (6, "America/Los_Angeles"),
]
LANGS = ["es"] * 12 + ["en"] * 3 + ["pt", "ht", "mam", "mam", "quc", "kjb", "zh", "pa"]
NOW = datetime(2027, 3, 1, 6, 0, tzinfo=UTC)
RULES = Rules(travel_buffer=timedelta(minutes=60))
PER_SHIFT = 25  # as PLAN_CANDIDATES_PER_SHIFT


def make_volunteers(rng: random.Random, n: int) -> list[VolunteerFacts]:
    people = []
    for user_id in range(1, n + 1):
        langs = {"en"} | {rng.choice(LANGS) for _ in range(rng.randint(1, 2))}
        roles = {ShiftRole.ACCOMPANIER} if rng.random() < 0.7 else set()
        if langs - {"en"} and rng.random() < 0.45:
            roles.add(ShiftRole.INTERPRETER)
        car = rng.random() < 0.3
        if car and rng.random() < 0.6:
            roles.add(ShiftRole.DRIVER)
        if rng.random() < 0.25 or not roles:
            roles.add(ShiftRole.OBSERVER)
        windows = []
        for day in rng.sample(range(5), rng.randint(1, 3)):
            start, end = rng.choice([(7, 12), (7, 17), (12, 17), (6, 13)])
            windows.append(Window(day, dtime(start), dtime(end)))
        people.append(
            VolunteerFacts(
                user_id=user_id,
                approved=True,
                languages=frozenset(langs),
                roles=frozenset(roles),
                has_car=car,
                max_shifts_per_week=rng.randint(1, 4),
                availability=tuple(windows),
                blackout_dates=frozenset(
                    date(2027, 3, 1) + timedelta(days=rng.randrange(28)) for _ in range(rng.randint(0, 2))
                ),
                preferred_court_ids=frozenset(rng.sample([c for c, _ in COURTS], rng.randint(1, 2))),
            )
        )
    return people


def make_seats(rng: random.Random, places: int) -> list[tuple[MatchSeat, int]]:
    seats: list[tuple[MatchSeat, int]] = []
    total = 0
    shift_id = hearing_id = 0
    while total < places:
        hearing_id += 1
        court_id, tz = rng.choice(COURTS)
        day = date(2027, 3, 1) + timedelta(days=rng.randrange(28))
        if day.weekday() >= 5:
            continue
        kind = rng.choice([HearingKind.MASTER] * 3 + [HearingKind.INDIVIDUAL, HearingKind.BOND])
        duration = 180 if kind == HearingKind.INDIVIDUAL else 60
        start = local_to_utc(day, dtime(rng.choice([8, 9, 10, 13, 14]), rng.choice([0, 30])), tz)
        langs = (
            frozenset([*rng.sample(["mam", "quc", "kjb", "pt", "ht", "zh"], 1), "es"])
            if rng.random() < 0.3
            else frozenset({"es"})
        )
        roles = [ShiftRole.ACCOMPANIER] + [
            r for r in (ShiftRole.INTERPRETER, ShiftRole.DRIVER, ShiftRole.OBSERVER) if rng.random() < 0.35
        ]
        for role in roles:
            shift_id += 1
            s_start, s_end = default_shift_window(role=role, hearing_start=start, duration_minutes=duration)
            capacity = rng.choice([1, 1, 2]) if role == ShiftRole.ACCOMPANIER else 1
            facts = SeatFacts(shift_id, hearing_id, court_id, tz, role, s_start, s_end, langs)
            seats.append((MatchSeat(facts, kind.value, f"case{rng.randrange(3000)}", "R."), capacity))
            total += capacity
    return seats


def make_history(rng: random.Random, people: list[VolunteerFacts]) -> dict[int, History]:
    histories = {}
    for v in people:
        attended = rng.randint(0, 20)
        histories[v.user_id] = History(
            seats_last_30_days=rng.randint(0, 5),
            attended=attended,
            no_show=rng.randint(0, 2),
            attended_by_kind={"master": attended // 2, "individual": attended // 4},
            case_last_seen={
                f"case{rng.randrange(3000)}": date(2027, 1, 15) for _ in range(rng.randint(0, 3))
            },
        )
    return histories


def make_schedules(rng: random.Random, people: list[VolunteerFacts]) -> dict:
    schedules = {}
    for v in people:
        commitments = []
        for k in range(rng.randint(0, 2)):
            court_id, tz = rng.choice(COURTS)
            day = date(2027, 3, 1) + timedelta(days=rng.randrange(28))
            start = local_to_utc(day, dtime(9), tz)
            commitments.append(
                Commitment(-(v.user_id * 10 + k), court_id, tz, start, start + timedelta(hours=2))
            )
        schedules[v.user_id] = schedule_of(commitments)
    return schedules


def bench_ranking(seed: int) -> None:
    rng = random.Random(seed)
    people = make_volunteers(rng, 5000)
    histories = make_history(rng, people)
    schedules = make_schedules(rng, people)
    start = local_to_utc(date(2027, 3, 10), dtime(9), "America/Chicago")
    seat = MatchSeat(
        SeatFacts(
            1,
            1,
            3,
            "America/Chicago",
            ShiftRole.ACCOMPANIER,
            start,
            start + timedelta(hours=2),
            frozenset({"es", "mam"}),
        ),
        "master",
        "case1",
        "R.",
    )
    timings = []
    cpu = []
    for _ in range(21):
        t0, c0 = time.perf_counter(), time.process_time()
        ranking = rank(
            seat=seat, volunteers=people, schedules=schedules, histories=histories, now=NOW, rules=RULES
        )
        timings.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    print(
        f"ranking 5,000 volunteers for one seat: median {statistics.median(timings):.1f} ms "
        f"(min {min(timings):.1f}, max {max(timings):.1f}; CPU median {statistics.median(cpu):.1f}); "
        f"{len(ranking.matches)} eligible, "
        f"{len(ranking.ineligible)} not  [target < 100 ms]"
    )


def plan_instance(seed: int, *, volunteers: int, places: int):
    """The big instance's people, histories, schedules and seats (with their open places)."""
    rng = random.Random(seed)
    people = make_volunteers(rng, volunteers)
    histories = make_history(rng, people)
    schedules = make_schedules(rng, people)
    return people, histories, schedules, make_seats(rng, places)


def priority(seat: MatchSeat) -> int:
    f = seat.facts
    return seat_priority(role=f.role, hearing_kind=seat.hearing_kind, starts_at=f.starts_at, now=NOW)


def search(instance, deadline=None):
    """The candidate search as the planner page runs it: the most pressing seats first, until
    the deadline."""
    people, histories, schedules, seats = instance
    return candidates_for_seats(
        seats=sorted(
            (s for s, _ in seats), key=lambda s: (-priority(s), s.facts.starts_at, s.facts.shift_id)
        ),
        volunteers=people,
        schedules=schedules,
        histories=histories,
        now=NOW,
        rules=RULES,
        keep={seat.facts.shift_id: max(PER_SHIFT, 3 * capacity) for seat, capacity in seats},
        deadline=deadline,
    )


def plan_problem(instance, matches):
    """The planning problem over the candidates found."""
    people, _, schedules, seats = instance
    plan_seats = []
    for seat, capacity in seats:
        f = seat.facts
        plan_seats.append(
            (
                PlanSeat(
                    f.shift_id,
                    capacity,
                    priority(seat),
                    f.court_id,
                    f.starts_at,
                    f.ends_at,
                    week_of(f.starts_at, f.court_tz),
                ),
                [(m.user_id, m.score) for m in matches.get(f.shift_id, ())],
            )
        )
    return build_problem(
        seats=plan_seats,
        caps={v.user_id: v.max_shifts_per_week for v in people},
        held={(uid, week): n for uid, s in schedules.items() for week, n in s.per_week.items()},
        travel_buffer=RULES.travel_buffer,
        max_score=max_score(DEFAULT_WEIGHTS),
        per_shift=PER_SHIFT,
    )


def timed_plan(seed: int, time_limit: float, *, volunteers: int, places: int):
    """Candidates and plan for the big instance, with wall and CPU seconds for each step.

    As on the planner's page, the time limit covers both: the candidate search stops at its
    share of it (``SEARCH_SHARE``) and the solve gets what is left. "candidates" is the search
    (``candidates_for_seats``) and turning its result into the planning problem; "plan" is the
    solve. Making up the instance is not timed (the page loads it from the database).
    """
    instance = plan_instance(seed, volunteers=volunteers, places=places)
    t0, c0 = time.perf_counter(), time.process_time()
    matches = search(instance, ClockDeadline(t0 + SEARCH_SHARE * time_limit, time.perf_counter))
    searched = time.perf_counter() - t0
    problem = plan_problem(instance, matches)
    t1, c1 = time.perf_counter(), time.process_time()
    result = plan(problem, time_limit=max(0.0, time_limit - (t1 - t0)))
    t2, c2 = time.perf_counter(), time.process_time()
    seats = instance[3]
    timing = (
        f"candidates {t1 - t0:.2f} s + plan {t2 - t1:.2f} s = {t2 - t0:.2f} s  "
        f"(method: {result.method}; CPU {c1 - c0:.2f} s + {c2 - c1:.2f} s; "
        f"candidates searched for {len(matches)} of {len(seats)} shifts, the search {searched:.2f} s "
        f"of the candidates' {t1 - t0:.2f} s)"
    )
    return problem, result, (len(seats), sum(c for _, c in seats)), timing, t2 - t1


class BusyLoops:
    """Background load: ``n`` processes spinning on the CPU (the app's workers at full tilt)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.procs: list[subprocess.Popen] = []

    def __enter__(self) -> BusyLoops:
        code = "while True: pass"
        self.procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(self.n)]
        time.sleep(1.0)  # let them take their share of the cores first
        return self

    def __exit__(self, *exc) -> None:
        for proc in self.procs:
            proc.kill()
            proc.wait()


def bench_plan(
    seed: int, time_limit: float, *, volunteers: int = 2000, places: int = 1000, load: int = 2
) -> None:
    name = f"{places:,} seats x {volunteers:,} volunteers"
    problem, result, (shifts, seats), timing, quiet = timed_plan(
        seed, time_limit, volunteers=volunteers, places=places
    )
    print(
        f"plan: {volunteers} volunteers, {shifts} shifts, {seats} seats over four weeks, "
        f"{len(problem.candidates)} eligible pairs"
    )
    print(f"  {timing}  [target < {time_limit:g} s]")
    print(f"  load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    tiny = 0.05
    _, cut, _, timing, _ = timed_plan(seed, tiny, volunteers=volunteers, places=places)
    print(
        f"  with a {tiny:g} s time limit (the search stops at its share, the solve gets the rest): {timing}; "
        f"{cut.seats_filled} seats filled"
    )
    greedy_lines = greedy(problem)
    broken = (len(violations(problem, result.lines)), len(violations(problem, greedy_lines)))
    print(
        f"  seats filled: plan {result.seats_filled}, greedy {len(greedy_lines)} "
        f"(weighted {result.weighted_fill} vs {result.greedy_weighted}); "
        f"violations: plan {broken[0]}, greedy {broken[1]}"
    )
    t3 = time.perf_counter()
    bound = lp_bound(problem)
    t4 = time.perf_counter()
    if bound:
        gap = 100 * (bound - result.weighted_fill) / bound
        print(
            f"  LP relaxation bound {bound:.1f} weighted; plan {result.weighted_fill}: gap {gap:.3f} %  "
            f"(bound took {t4 - t3:.2f} s)  [target < 2 %]"
        )
    t5 = time.perf_counter()
    whole = plan(problem, time_limit=time_limit, split=False)
    print(
        f"  solved as one model instead of {result.parts} parts: {time.perf_counter() - t5:.2f} s "
        f"({whole.method}, objective {whole.weighted_fill})"
    )
    print(instance_line(f"{name}, quiet", result, bound or 0.0))
    from plan_instances import at_scale

    traps = at_scale()
    traps_bound = lp_bound(traps) or 0.0
    print(
        f"plan with every trap at scale: {len(traps.seats):,} shifts, "
        f"{sum(s.places for s in traps.seats):,} places, {len(traps.caps):,} volunteers, "
        f"{len(traps.candidates):,} eligible pairs"
    )
    tight = time_limit / 20
    print(instance_line("every trap at scale, quiet", plan(traps, time_limit=time_limit), traps_bound))
    print(
        instance_line(f"every trap at scale, {tight:g} s limit", plan(traps, time_limit=tight), traps_bound)
    )
    if load <= 0:
        return
    with BusyLoops(load):
        _, loaded, _, timing, seconds = timed_plan(seed, time_limit, volunteers=volunteers, places=places)
        trapped = plan(traps, time_limit=time_limit)
        average = os.getloadavg()[0]
    print(
        f"  under load ({load} busy processes on {os.cpu_count()} cores, load average {average:.1f}): "
        f"{timing}; plan {seconds / quiet:.1f}x quiet  [target < {time_limit:g} s]"
    )
    print(instance_line(f"{name}, under load", loaded, bound or 0.0))
    print(instance_line("every trap at scale, under load", trapped, traps_bound))


def instance_line(name: str, result, bound: float) -> str:
    proved = "" if result.gap is None else f", proved gap {100 * result.gap:.3f} %"
    greedy = result.greedy_weighted or 1
    return (
        f"  {name}: optimiser {result.weighted_fill}, greedy {result.greedy_weighted}, LP bound {bound:.0f}"
        f"{proved}  (objective {result.weighted_fill / greedy:.3f}x greedy, bound {bound / greedy:.3f}x; "
        f"{result.seats_filled} vs {result.greedy_seats} seats; {result.method}, {result.seconds:.2f} s)"
    )


def bench_instances(time_limit: float) -> None:
    """Instances where greedy is worse: the optimiser's objective, greedy's and the LP bound."""
    from plan_instances import INSTANCES

    print("instances where greedy falls short (objective: weighted seats filled):")
    for name, make in INSTANCES.items():
        problem = make()
        result = plan(problem, time_limit=time_limit)
        assert not violations(problem, result.lines)
        print(instance_line(name, result, lp_bound(problem) or 0.0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--db", action="store_true", help="also time loading from a database")
    parser.add_argument("--seats", type=int, default=1000, help="places to fill in the big plan")
    parser.add_argument("--volunteers", type=int, default=2000, help="volunteers in the big plan")
    parser.add_argument(
        "--load",
        type=int,
        default=os.cpu_count() or 2,
        help="busy processes running while the big plan is solved again (default: one per core; 0: skip)",
    )
    args = parser.parse_args()
    bench_ranking(args.seed)
    bench_instances(args.time_limit)
    bench_plan(args.seed, args.time_limit, volunteers=args.volunteers, places=args.seats, load=args.load)
    if args.db:
        bench_loading()


def bench_loading(n: int = 5000) -> None:
    """Suggestions for one shift straight from a database (SQLite in memory): loading + ranking."""
    from sqlalchemy import insert

    from scheduler import create_app
    from scheduler.enums import Role, UserStatus
    from scheduler.extensions import db
    from scheduler.matching.facts import MatchSettings
    from scheduler.matching.suggestions import suggestions_for_shift
    from scheduler.models import (
        AvailabilityWindow,
        Court,
        User,
        VolunteerLanguage,
        VolunteerProfile,
        VolunteerRole,
    )
    from scheduler.types import utcnow
    from tests.factories import make_hearing

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": "sqlite://"})
    rng = random.Random(1)
    with app.app_context():
        db.create_all()
        court = Court(
            name="Bench Court", city="Chicago", state="IL", address="1 Bench St", timezone="America/Chicago"
        )
        db.session.add(court)
        db.session.flush()
        now = utcnow()
        db.session.execute(
            insert(User),
            [
                {
                    "id": i,
                    "email": f"v{i}@bench.test",
                    "display_name": f"Volunteer {i}",
                    "password_hash": "x",
                    "role": Role.VOLUNTEER,
                    "status": UserStatus.APPROVED,
                }
                for i in range(1, n + 1)
            ],
        )
        db.session.execute(
            insert(VolunteerProfile),
            [{"user_id": i, "max_shifts_per_week": rng.randint(1, 4)} for i in range(1, n + 1)],
        )
        db.session.execute(
            insert(VolunteerRole), [{"user_id": i, "role": ShiftRole.ACCOMPANIER} for i in range(1, n + 1)]
        )
        db.session.execute(
            insert(VolunteerLanguage),
            [{"user_id": i, "language": rng.choice(LANGS)} for i in range(1, n + 1)],
        )
        db.session.execute(
            insert(AvailabilityWindow),
            [
                {"user_id": i, "weekday": d, "start_time": dtime(7), "end_time": dtime(17)}
                for i in range(1, n + 1)
                for d in rng.sample(range(7), 3)
            ],
        )
        day = now.date() + timedelta(days=3)
        hearing = make_hearing(
            court=court, starts_at=local_to_utc(day, dtime(10), "America/Chicago"), languages=("es", "mam")
        )
        actor = User(
            email="c@bench.test",
            display_name="C",
            password_hash="x",  # noqa: S106  (never used to sign in)
            role=Role.ADMIN,
            status=UserStatus.APPROVED,
        )
        db.session.add(actor)
        db.session.commit()
        actor_id, shift_id = actor.id, hearing.shifts[0].id
        shift_type = type(hearing.shifts[0])
        timings = []
        for _ in range(3):
            db.session.expunge_all()
            t0 = time.perf_counter()
            result = suggestions_for_shift(
                db.session,
                actor=db.session.get(User, actor_id),
                shift=db.session.get(shift_type, shift_id),
                now=utcnow(),
                settings=MatchSettings(),
            )
            timings.append(time.perf_counter() - t0)
        print(
            f"suggestions for one shift from the database ({n} volunteers, SQLite): median "
            f"{statistics.median(timings) * 1000:.0f} ms including loading; {result.eligible_count} eligible"
        )


if __name__ == "__main__":
    main()
