"""Run every bench script on one generated dataset and print one table of figures and ratios.

Run: make bench   (or .venv/bin/python bench/run_all.py)

Settings, from the environment:
  BENCH_DATABASE_URL   PostgreSQL database for the dataset (default: a SQLite file under /tmp).
                       The import and feed benches rebuild their own schema, so on PostgreSQL
                       they get sibling databases (<name>_import, <name>_feeds, <name>_claims)
                       created here and dropped at the end; on SQLite, files under /tmp.
  BENCH_HEARINGS       hearings in the dataset (default 1000); BENCH_VOLUNTEERS (default
                       hearings / 5) and BENCH_SIGNUPS (default hearings x 5) follow it, as in
                       "50k hearings / 10k volunteers / 250k signups".
  BENCH_RUNS           renders per page (default 15).
  BENCH_TIME_LIMIT     the planner's time limit in seconds (default 10).
  BENCH_CLAIMS_SECONDS claims under load, PostgreSQL only (default 10; 0 skips it).
  BENCH_PORT           the port gunicorn listens on for the claims bench (default: a free one).
  BENCH_ONLY           comma-separated subset of: pages, scale, feeds, import, matching, claims.

On PostgreSQL with more than 1,000 hearings, "scale" also builds a 1,000-hearing dataset in a
sibling database (<name>_small) and renders the list pages on both, interleaved
(bench/pages_scale.py): the big dataset's time over the small one's, issue 18 item 1's goal.

Each figure is shown with its ratio to a baseline measured in the same run: /healthz for pages
and imports (a minimal response of the same app), the same page on 1,000 hearings for scale,
the warm request for feeds, greedy for the planner's objectives, dashboard GETs per second
(bench/claims.py measures both on its own server in one run) for claims per second. The scripts keep their
own command lines and printouts; this runner reads what they print, so a figure a script stops
printing shows as missing instead of failing the run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv/bin/python") if (ROOT / ".venv/bin/python").exists() else sys.executable
NUMBER = r"([-\d.,]+)"


@dataclass
class Row:
    bench: str
    figure: str
    value: float | None
    unit: str
    baseline: str = ""
    ratio: float | None = None
    note: str = ""


def num(text: str) -> float:
    return float(text.replace(",", ""))


def run(name: str, args: list[str], env: dict[str, str] | None = None) -> str:
    """Run one bench script; echo its output as it goes (to stderr) and return it."""
    print(f"== {name}: {' '.join(args)}", file=sys.stderr, flush=True)
    start = time.perf_counter()
    proc = subprocess.run(
        [PYTHON, *args], cwd=ROOT, env=dict(os.environ, **(env or {})), capture_output=True, text=True
    )
    sys.stderr.write(proc.stdout)
    if proc.returncode:
        sys.stderr.write(proc.stderr[-3000:])
        print(f"== {name} exited with {proc.returncode}", file=sys.stderr, flush=True)
    print(f"== {name} took {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return proc.stdout


def sibling(url: str, suffix: str) -> str:
    """A database next to the dataset's: same server, name + suffix (PostgreSQL), or a /tmp file."""
    if not url.startswith("postgresql"):
        return f"sqlite:////tmp/accompany-bench-{suffix}.sqlite3"
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=f"{make_url(url).database}_{suffix}").render_as_string(False)


def admin_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database="postgres").render_as_string(False)


def ensure(url: str) -> None:
    """Create the dataset's PostgreSQL database if it does not exist (the generator fills it)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    engine = create_engine(admin_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def recreate(url: str, *, drop_only: bool = False) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    engine = create_engine(admin_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if not drop_only:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


PAGE_LINE = re.compile(rf"^\s+(.+?)\s+median\s+{NUMBER} ms\s+p95\s+{NUMBER} ms\s+(\d+) SQL statements")


def pages(url: str, runs: int) -> list[Row]:
    out = run("pages", ["bench/dashboard.py", "--database-url", url, "--runs", str(runs)])
    rows, health = [], None
    for line in out.splitlines():
        if m := PAGE_LINE.match(line):
            label, median, statements = m[1], num(m[2]), int(m[4])
            if label.startswith("/healthz"):
                health = median
            ratio = median / health if health else None
            rows.append(Row("pages", f"{label} ({statements} SQL)", median, "ms", "/healthz", ratio))
    return rows


SCALE_LINE = re.compile(rf"^(\S.*?)\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}x\s+(\d+) / (\d+)\s+(\d+) / (\d+)$")


def scale(url: str, runs: int) -> list[Row]:
    """The list pages at 1,000 hearings and on the dataset, in one interleaved run."""
    small = sibling(url, "small")
    recreate(small)
    try:
        run(
            "small dataset",
            [
                *("bench/make_dataset.py", "--database-url", small),
                *("--hearings", "1000", "--volunteers", "200", "--signups", "5000"),
            ],
        )
        out = run("scale", ["bench/pages_scale.py", "--small", small, "--big", url, "--runs", str(runs)])
    finally:
        recreate(small, drop_only=True)
    rows = []
    for line in out.splitlines():
        if m := SCALE_LINE.match(line):
            label, small_ms, big_ms = m[1], num(m[2]), num(m[3])
            statements = m[5] if m[5] == m[6] else f"{m[5]} vs {m[6]}"
            rows.append(
                Row(
                    "scale",
                    f"{label} ({statements} SQL, {m[7]} / {m[8]} kB)",
                    big_ms,
                    "ms",
                    f"1k: {small_ms:.1f} ms",
                    big_ms / small_ms,
                )
            )
    return rows


MS_LINE = re.compile(rf"^\s*(\S[^:]*?)(?:\s*\(median\))?:\s+{NUMBER}\s*ms\b")


def feeds(url: str | None, runs: int) -> list[Row]:
    args = ["bench/feeds.py", "--runs", str(runs)]
    if url:
        args += ["--database-url", url]
    out = run("feeds", args)
    # A line may carry its own ratio ("= 1.02x"), measured against /healthz samples taken in
    # turn with it: that one is kept rather than divided by the run's /healthz median.
    figures = [
        (m[1].strip(), num(m[2]), num(r[1]) if (r := re.search(rf"= {NUMBER}x", line)) else None)
        for line in out.splitlines()
        if (m := MS_LINE.match(line))
    ]
    warm = next((v for label, v, _r in figures if "warm" in label), None)
    health = next((v for label, v, _r in figures if "healthz" in label or "minimal" in label), None)
    rows = []
    for label, value, own in figures:
        if "304" in label or "healthz" in label or "minimal" in label:
            ratio = own if own is not None else (value / health if health else None)
            rows.append(Row("feeds", label, value, "ms", "/healthz", ratio))
        else:
            rows.append(Row("feeds", label, value, "ms", "warm feed", value / warm if warm else None))
    if m := re.search(r"SQL statements: (.*)", out):
        rows.append(Row("feeds", f"SQL statements: {m[1]}", None, ""))
    return rows


def imports(url: str, health: float | None) -> list[Row]:
    out = run("import", ["bench/import_hearings.py", "--database-url", url])
    rows = []
    for label, pattern in [
        ("2,000-row import: upload + preview", rf"upload \+ preview\s+{NUMBER} s"),
        ("2,000-row import: commit", rf"commit\s+{NUMBER} s"),
    ]:
        if m := re.search(pattern, out):
            ms = num(m[1]) * 1000
            rows.append(Row("import", label, ms, "ms", "/healthz", ms / health if health else None))
    if m := re.search(r"(\d+) SQL statements(.*)", out):
        rows.append(Row("import", f"commit: {m[1]} SQL statements{m[2]}", None, ""))
    return rows


INSTANCE_LINE = re.compile(
    # The bound is printed without a thousands separator: a comma after it ends the number.
    rf"^\s+(.+?): optimiser {NUMBER}, greedy {NUMBER}, LP bound ([-\d.]+)(?:, proved gap {NUMBER} %)?(.*)$"
)


PLAN_LINE = (
    rf"candidates {NUMBER} s \+ plan {NUMBER} s = {NUMBER} s\s+\(method: (\w+); CPU {NUMBER} s \+ {NUMBER} s"
    rf"(?:; candidates searched for (\d+ of \d+) shifts, the search {NUMBER} s)?"
)
LOADED_PREFIX = rf"under load \((\d+) busy processes on (\d+) cores, load average {NUMBER}\): "


def plan_row(m: re.Match[str], figure: str, time_limit: float, extra: str = "") -> Row:
    """The big plan (candidate search and solve, wall) against the planner's time limit, which
    covers both; the split between them is in the note."""
    k = len(m.groups()) - 8  # the load prefix's groups come first
    candidates, solve, total, method, cpu_c, cpu_s, searched, search = m.groups()[k:]
    reached = (
        f"; candidates searched for {searched} shifts, the search {num(search):.2f} s" if searched else ""
    )
    note = (
        f"candidates {num(candidates):.1f} s + solve {num(solve):.1f} s; "
        f"CPU {num(cpu_c):.1f} s + {num(cpu_s):.1f} s{reached}{extra}"
    )
    return Row(
        "matching",
        f"{figure}: candidates + solve ({method})",
        num(total) * 1000,
        "ms",
        "time limit",
        num(total) / time_limit,
        note,
    )


def matching(time_limit: float) -> list[Row]:
    out = run("matching", ["bench/matching.py", "--time-limit", str(time_limit)])
    rows = []
    if m := re.search(rf"ranking 5,000 volunteers for one seat: median {NUMBER} ms", out):
        rows.append(Row("matching", "rank 5,000 volunteers for one seat", num(m[1]), "ms"))
    if m := re.search(PLAN_LINE, out):
        rows.append(plan_row(m, "plan 1,000 seats x 2,000 volunteers", time_limit))
    if m := re.search(LOADED_PREFIX + PLAN_LINE, out):
        rows.append(
            plan_row(
                m,
                "plan 1,000 seats x 2,000 volunteers under load",
                time_limit,
                f"; {m[1]} busy processes on {m[2]} cores, load average {m[3]}",
            )
        )
    for line in out.splitlines():
        if m := INSTANCE_LINE.match(line):
            name, best, greedy, bound = m[1], num(m[2]), num(m[3]), num(m[4])
            note = f"bound {bound:g} = {bound / greedy:.2f}x greedy" if greedy else f"bound {bound:g}"
            if m[5]:
                note += f"; proved gap {m[5]} %"
            rows.append(
                Row(
                    "matching",
                    f"{name}: objective",
                    best,
                    "",
                    "greedy",
                    best / greedy if greedy else None,
                    note,
                )
            )
    return rows


def claims(url: str, seconds: float) -> list[Row]:
    env = {"BENCH_CLAIMS_DB": sibling(url, "claims").rsplit("/", 1)[1]}
    out = run(
        "claims",
        ["bench/claims.py", "--seconds", str(seconds), "--volunteers", "64", "--pg-url", admin_url(url)],
        env,
    )
    rows = []
    # bench/claims.py measures both rates on the same server in the same run and prints their ratio.
    ratio = re.search(rf"claims/s to dashboard GETs/s, same run: {NUMBER}", out)
    if m := re.search(rf"claims: \d+ \({NUMBER}/s\)", out):
        rows.append(
            Row(
                "claims",
                "claims per second",
                num(m[1]),
                "/s",
                "dashboard GETs/s",
                num(ratio[1]) if ratio else None,
            )
        )
    if m := re.search(rf"claim latency: p50 {NUMBER} ms, p99 {NUMBER} ms", out):
        rows.append(Row("claims", "claim p50", num(m[1]), "ms"))
        rows.append(Row("claims", "claim p99", num(m[2]), "ms", note="target < 250 ms"))
    if m := re.search(rf"dashboard GETs \([^)]*\): \d+ \({NUMBER}/s\)", out):
        rows.append(Row("claims", "dashboard GETs per second (same server)", num(m[1]), "/s"))
    for check in (
        "shifts over capacity",
        "duplicate seats (one person twice on a shift)",
        "signups the app confirmed but lost",
    ):
        if m := re.search(rf"{re.escape(check)}: (\d+)", out):
            rows.append(Row("claims", check, num(m[1]), ""))
    return rows


def table(rows: list[Row]) -> str:
    def fmt(value: float | None) -> str:
        if value is None:
            return ""
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"

    head = ("bench", "figure", "value", "baseline", "ratio", "note")
    body = [
        (
            r.bench,
            r.figure,
            f"{fmt(r.value)} {r.unit}".strip(),
            r.baseline,
            (f"{r.ratio:.2f}x" if r.ratio < 100 else f"{r.ratio:,.0f}x") if r.ratio is not None else "",
            r.note,
        )
        for r in rows
    ]
    widths = [max(len(str(x[i])) for x in [head, *body]) for i in range(len(head))]
    lines = [
        "  ".join(
            str(c).ljust(w) if i != 2 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(x, widths, strict=True))
        ).rstrip()
        for x in [head, *body]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or "sqlite:////tmp/accompany-bench-dataset.sqlite3"
    postgres = url.startswith("postgresql")
    hearings = int(os.environ.get("BENCH_HEARINGS", "1000"))
    volunteers = int(os.environ.get("BENCH_VOLUNTEERS", max(50, hearings // 5)))
    signups = int(os.environ.get("BENCH_SIGNUPS", hearings * 5))
    runs = int(os.environ.get("BENCH_RUNS", "15"))
    time_limit = float(os.environ.get("BENCH_TIME_LIMIT", "10"))
    claim_seconds = float(os.environ.get("BENCH_CLAIMS_SECONDS", "10"))
    only = {x.strip() for x in os.environ.get("BENCH_ONLY", "").split(",") if x.strip()}

    def wanted(name: str) -> bool:
        return not only or name in only

    started = time.perf_counter()
    rows: list[Row] = []
    if wanted("pages") or wanted("scale") or wanted("claims"):
        if postgres:
            ensure(url)
        run(
            "dataset",
            [
                "bench/make_dataset.py",
                "--database-url",
                url,
                "--hearings",
                str(hearings),
                "--volunteers",
                str(volunteers),
                "--signups",
                str(signups),
            ],
        )
    if wanted("pages"):
        rows += pages(url, runs)
    if wanted("scale") and postgres and hearings > 1000:
        rows += scale(url, runs)
    health = next((r.value for r in rows if r.figure.startswith("/healthz")), None)
    extra = [sibling(url, s) for s in ("feeds", "import")] if postgres else []
    for db_url in extra:
        recreate(db_url)
    try:
        if wanted("feeds"):
            rows += feeds(sibling(url, "feeds") if postgres else None, runs)
        if wanted("import"):
            rows += imports(sibling(url, "import"), health)
        if wanted("matching"):
            rows += matching(time_limit)
        if wanted("claims"):
            if postgres and claim_seconds > 0:
                rows += claims(url, claim_seconds)
            else:
                rows.append(Row("claims", "skipped", None, "", note="needs PostgreSQL (BENCH_DATABASE_URL)"))
    finally:
        for db_url in extra:
            recreate(db_url, drop_only=True)
    engine = "PostgreSQL" if postgres else "SQLite"
    print(
        f"\nmake bench: {engine}, {hearings:,} hearings, {volunteers:,} volunteers, {signups:,} signups; "
        f"{runs} runs per page; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
        f"{time.perf_counter() - started:.0f} s in all"
    )
    print(table(rows))


if __name__ == "__main__":
    main()
