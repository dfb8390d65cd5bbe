"""Orchestration of ``manage.py bench``: databases, child processes, the table and docs/benchmarks.md.

Every step that touches a database runs in a child process (``manage.py bench --worker …`` or
``seed_demo``) with ``DATABASE_URL`` pointing at that step's database and the benchmark settings,
so the small and the county database are measured by the same code in the same run, and the
import and the raw insert each start from a fresh copy of the same database.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone as dt_timezone
import json
import os
from pathlib import Path
import platform
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from urllib.parse import urlparse, urlunparse

import django
from django.conf import settings

from concord.demo import seed

BASE_DIR = Path(settings.BASE_DIR)
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/concord"  # as scripts/services.py
GOAL_SCALE_RATIO = 2.0
GOAL_ADMIN_RATIO = 1.0
GOAL_IMPORT_RATIO = 0.4
GOAL_SEED_SECONDS = 300
GOAL_ESCALATION_SECONDS = 10  # escalate_overdue over the county database, on SQLite
GOAL_SCAN_SECONDS = 30  # the early-warning scan over the county database, on SQLite


class BenchError(Exception):
    pass


# --- Database engines ----------------------------------------------------------------------------

class SQLiteEngine:
    name, label = "sqlite", "SQLite"

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir

    def path(self, db: str) -> Path:
        return self.out_dir / f"{db}.sqlite3"

    def url(self, db: str) -> str:
        return f"sqlite:///{self.path(db).resolve()}"

    def _files(self, db):
        path = self.path(db)
        return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]

    def exists(self, db: str) -> bool:
        return self.path(db).exists()

    def create(self, db: str) -> None:
        self.drop(db)

    def drop(self, db: str) -> None:
        for file in self._files(db):
            file.unlink(missing_ok=True)

    def copy(self, source: str, target: str) -> None:
        self.drop(target)
        for src, dst in zip(self._files(source), self._files(target)):
            if src.exists():
                shutil.copyfile(src, dst)

    def version(self) -> str:
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"

    def size(self, db: str) -> int:
        return sum(f.stat().st_size for f in self._files(db) if f.exists())


class PostgresEngine:
    name, label = "postgresql", "PostgreSQL"

    def __init__(self, server_url: str, prefix: str):
        self.server = urlparse(server_url)
        self.prefix = prefix

    def dbname(self, db: str) -> str:
        return f"{self.prefix}_{db}"

    def url(self, db: str) -> str:
        return urlunparse(self.server._replace(path=f"/{self.dbname(db)}"))

    def _admin(self):
        import psycopg

        url = urlunparse(self.server._replace(scheme="postgresql", path="/postgres"))
        return psycopg.connect(url, autocommit=True)

    def exists(self, db: str) -> bool:
        with self._admin() as conn:
            return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.dbname(db)]).fetchone() is not None

    def create(self, db: str) -> None:
        self.drop(db)
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{self.dbname(db)}"')

    def drop(self, db: str) -> None:
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.dbname(db)}" WITH (FORCE)')

    def copy(self, source: str, target: str) -> None:
        self.drop(target)
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{self.dbname(target)}" TEMPLATE "{self.dbname(source)}"')

    def version(self) -> str:
        with self._admin() as conn:
            return "PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0]

    def size(self, db: str) -> int:
        with self._admin() as conn:
            return conn.execute("SELECT pg_database_size(%s)", [self.dbname(db)]).fetchone()[0]


def postgres_url() -> str:
    """The server to use, found as scripts/services.py finds it."""
    url = os.environ.get("TEST_DATABASE_URL") or ""
    if not url and os.environ.get("DATABASE_URL", "").startswith("postgres"):
        url = os.environ["DATABASE_URL"]
    return url or DEFAULT_PG_URL


def postgres_answers(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5432), timeout=2):
            return True
    except OSError:
        return False


# --- Child processes -------------------------------------------------------------------------------

def _child_env(engine, db: str) -> dict:
    env = dict(os.environ)
    for name in ("REDIS_URL", "DEBUG", "TEST_DATABASE_URL"):
        env.pop(name, None)
    env.update(DATABASE_URL=engine.url(db), DJANGO_SETTINGS_MODULE="concord.settings_bench", CONCORD_TESTING="1",
               PYTHONDONTWRITEBYTECODE="1")
    return env


def run_child(engine, db: str, args: list[str], say=None) -> tuple[float, str]:
    """Run ``manage.py ARGS`` on one database; returns (wall seconds, output). Output lines are
    passed to ``say`` as they come."""
    command = [sys.executable, str(BASE_DIR / "manage.py"), *args]
    began = time.monotonic()
    process = subprocess.Popen(command, env=_child_env(engine, db), cwd=BASE_DIR, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in process.stdout:
        lines.append(line)
        if say:
            say("    " + line.rstrip())
    process.wait()
    seconds = time.monotonic() - began
    output = "".join(lines)
    if process.returncode:
        raise BenchError(f"{' '.join(args[:3])} on {engine.label} {db} failed:\n{output[-3000:]}")
    return seconds, output


def run_worker(engine, db: str, out_dir: Path, step: str, extra: list[str], say=None) -> dict:
    target = out_dir / f"{engine.name}-{db}-{step}.json"
    target.unlink(missing_ok=True)
    run_child(engine, db, ["bench", "--worker", step, "--json-out", str(target), *extra], say)
    return json.loads(target.read_text())


# --- The run ----------------------------------------------------------------------------------------

@dataclass
class Options:
    engines: list[str]
    scale_small: str
    county_enterprises: int
    county_workers: int
    county_migrants: int | None
    skip_seed: bool
    runs: int
    rounds: int
    import_rows: int
    import_format: str
    import_base: str
    out_dir: Path
    doc: Path | None
    seed: int
    keep: bool
    pg_prefix: str
    pg_copy: bool
    command: str


def seed_args(options: Options, db: str) -> list[str]:
    args = ["seed_demo", "--seed", str(options.seed)]
    if db == "small":
        args += ["--scale", options.scale_small]
    elif (options.county_enterprises, options.county_workers, options.county_migrants) == (
            seed.SCALES["county"].enterprises, seed.SCALES["county"].workers, None):
        args += ["--scale", "county"]
    else:
        args += ["--enterprises", str(options.county_enterprises), "--workers", str(options.county_workers)]
        if options.county_migrants is not None:
            args += ["--migrants", str(options.county_migrants)]
    return args


def engines_for(options: Options, say) -> list:
    out = []
    for name in options.engines:
        if name == "sqlite":
            out.append(SQLiteEngine(options.out_dir))
        elif name in {"postgres", "postgresql"}:
            url = postgres_url()
            if not postgres_answers(url):
                raise BenchError(f"PostgreSQL does not answer at {urlparse(url).hostname}:{urlparse(url).port or 5432}.")
            out.append(PostgresEngine(url, options.pg_prefix))
        else:
            raise BenchError(f"unknown engine {name!r} (sqlite, postgres)")
    return out


def run(options: Options, say) -> list[dict]:
    options.out_dir.mkdir(parents=True, exist_ok=True)
    reports = []
    for engine in engines_for(options, say):
        say(f"== {engine.label} ==")
        report = run_engine(engine, options, say)
        reports.append(report)
        (options.out_dir / f"results-{engine.name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
        text = render(report)
        say("")
        say(text)
        if options.doc:
            write_doc(options.doc, engine, text)
            say(f"Written to {options.doc}")
    return reports


def run_engine(engine, options: Options, say) -> dict:
    report = {
        "engine": engine.name, "label": engine.label, "command": options.command,
        "date": datetime.now(dt_timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(engine),
        "runs": options.runs, "rounds": options.rounds, "seeding": {}, "pages": {}, "facts": {}, "import": None,
        "escalation": {}, "scan": {}, "harmony": {},
    }
    databases = ("small", "county")
    try:
        for db in databases:
            if options.skip_seed:
                if not engine.exists(db):
                    raise BenchError(f"--skip-seed: the {db} database does not exist yet on {engine.label}.")
                continue
            say(f"-- building the {db} database")
            engine.create(db)
            migrate_seconds, _out = run_child(engine, db, ["migrate", "--noinput", "-v", "0"])
            args = seed_args(options, db) + (["--copy"] if options.pg_copy and engine.name == "postgresql" else [])
            seconds, output = run_child(engine, db, args, say)
            inner = re.search(r"in ([\d.]+) s\.", output)
            report["seeding"][db] = {
                "command": "seed_demo " + " ".join(args[1:]), "wall_seconds": seconds, "migrate_seconds": migrate_seconds,
                "generator_seconds": float(inner.group(1)) if inner else None,
            }
        for db in databases:
            counts = run_worker(engine, db, options.out_dir, "counts", [])
            report["seeding"].setdefault(db, {}).update(counts, size_bytes=engine.size(db))
        # Rounds alternate the two databases; each page keeps its best round's median, so a burst
        # of load from another process on a shared machine does not decide a ratio.
        for round_number in range(1, options.rounds + 1):
            for db in databases:
                say(f"-- pages on the {db} database, round {round_number} of {options.rounds}")
                result = run_worker(engine, db, options.out_dir, "pages", ["--runs", str(options.runs)])
                report["pages"][db] = merge_rounds(report["pages"].get(db), result["pages"])
                report["facts"][db] = result["facts"]
        for db in databases:
            report["escalation"][db] = measure_escalation(engine, db, options, say)
        for db in databases:
            report["scan"][db] = measure_scan(engine, db, options, say)
        for db in databases:
            say(f"-- harmony computed indicators on the {db} database")
            report["harmony"][db] = run_worker(engine, db, options.out_dir, "harmony", ["--runs", str(options.runs)])
        if options.import_rows:
            report["import"] = measure_import(engine, options, say)
    finally:
        if engine.name == "postgresql" and not options.keep:
            for db in ("small", "county", "import_a", "import_b", "small_escalation", "county_escalation",
                       "small_scan", "county_scan"):
                engine.drop(db)
    return report


def merge_rounds(best: dict | None, new: dict) -> dict:
    """Per page and user, the round with the lower median (a failed request counts as worst)."""
    if best is None:
        return new
    for key, row in new.items():
        kept = best.setdefault(key, row)
        for who in ("county_admin", "town_officer", "admin"):
            a, b = kept.get(who), row.get(who)
            if a is None or b is None:
                continue
            if b["status"] == 200 and (a["status"] != 200 or b["ms"] < a["ms"]):
                kept[who] = dict(b, queries_seen=sorted({*a.get("queries_seen", [a["queries"]]), b["queries"]}))
            else:
                kept[who] = dict(a, queries_seen=sorted({*a.get("queries_seen", [a["queries"]]), b["queries"]}))
    return best


def measure_escalation(engine, db: str, options: Options, say) -> dict:
    """The escalation job on a fresh copy of ``db`` (it moves cases up a level: the demo stays as seeded)."""
    copy = f"{db}_escalation"
    say(f"-- escalation job on a copy of the {db} database")
    engine.copy(db, copy)
    try:
        return run_worker(engine, copy, options.out_dir, "escalation", ["--runs", str(options.runs)])
    finally:
        engine.drop(copy)


def measure_scan(engine, db: str, options: Options, say) -> dict:
    """The early-warning scan on a fresh copy of ``db`` (it writes risks and alerts)."""
    copy = f"{db}_scan"
    say(f"-- early-warning scan on a copy of the {db} database")
    engine.copy(db, copy)
    try:
        return run_worker(engine, copy, options.out_dir, "scan", ["--runs", str(options.runs)])
    finally:
        engine.drop(copy)


def measure_import(engine, options: Options, say) -> dict:
    base = options.import_base
    suffix = "csv" if options.import_format == "csv" else "xlsx"
    file = options.out_dir / f"import-{options.import_rows}.{suffix}"
    raw = options.out_dir / f"import-{options.import_rows}.pickle"
    say(f"-- writing a {options.import_rows:,}-row worker file from the {base} database")
    made = run_worker(engine, base, options.out_dir, "make-import-file",
                      ["--rows", str(options.import_rows), "--file", str(file), "--raw", str(raw), "--seed", str(options.seed)])
    out = {"rows": options.import_rows, "base": base, "file": file.name, "file_bytes": file.stat().st_size,
           "file_seconds": made["seconds"]}
    try:
        say("-- registry import (fresh copy)")
        engine.copy(base, "import_a")
        out["import"] = run_worker(engine, "import_a", options.out_dir, "import", ["--file", str(file)])
        engine.drop("import_a")
        say("-- raw batched insert (fresh copy)")
        engine.copy(base, "import_b")
        out["raw"] = run_worker(engine, "import_b", options.out_dir, "raw-insert", ["--raw", str(raw)])
        engine.drop("import_b")
    finally:
        raw.unlink(missing_ok=True)
    return out


def machine(engine) -> dict:
    cpu = ""
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "")
    except OSError:
        pass
    memory = ""
    try:
        kb = int(next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")))
        memory = f"{kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = "load average %.1f" % os.getloadavg()[0]
    return {"cpu": cpu or platform.processor(), "cores": os.cpu_count(), "memory": memory, "load": load,
            "python": platform.python_version(), "django": django.get_version(), "database": engine.version(),
            "os": platform.platform()}


# --- Presentation --------------------------------------------------------------------------------------

ROLES = (("county_admin", "county admin"), ("town_officer", "town officer"))


def _ms(value) -> str:
    return "—" if value is None else (f"{value:.0f}" if value >= 100 else f"{value:.1f}")


def _ratio(a, b) -> float | None:
    return a / b if a is not None and b else None


def _mark(value, goal, less=True) -> str:
    if value is None:
        return "—"
    ok = value <= goal if less else value >= goal
    return f"{value:.2f} {'✓' if ok else '✗'}"


def _timing(entry):
    if not entry:
        return None
    return entry["ms"] if entry["status"] == 200 else None


def render(report: dict) -> str:
    m = report["machine"]
    lines = [
        f"Run {report['date']} on {m['cpu']} ({m['cores']} cores, {m['memory']}, {m['load']} at start), "
        f"Python {m['python']}, Django {m['django']}, {m['database']}.",
        "",
        f"Command: `{report['command']}`",
        "",
    ]
    seeding = report["seeding"]
    lines += ["Databases: " + "; ".join(
        f"{db} = {s.get('enterprises', 0):,} enterprises, {s.get('workers', 0):,} workers ({s.get('migrants', 0):,} migrants), "
        f"{s.get('employments', 0):,} employments, {s.get('cases', 0):,} dispute cases, "
        f"{s.get('signals', 0):,} risk signals, {s.get('alerts', 0):,} alerts, "
        f"{s.get('size_bytes', 0) / 1e6:,.0f} MB" for db, s in seeding.items()) + ".", ""]
    facts = report["facts"]
    if facts:
        small, county = facts.get("small", {}), facts.get("county", {})
        lines += [
            f"Pages ask both databases the same question: town {county.get('town', '')} "
            f"({small.get('town_enterprises', 0):,} / {county.get('town_enterprises', 0):,} enterprises); enterprise 360 of "
            f"its enterprise with the head count nearest 300 ({small.get('enterprise_360_head_count')} / "
            f"{county.get('enterprise_360_head_count')} workers); worker search by the ID number of a worker employed "
            f"there and by the name prefix “{small.get('name_prefix')}” / “{county.get('name_prefix')}”. Median of {report['runs']} warm runs "
            f"(after 2 warm-up requests) through Django's test client, best of {report.get('rounds', 1)} rounds alternating "
            "the two databases, in milliseconds; queries counted on one more request in each round. "
            "Admin: the stock Django admin answering the same question as a superuser (concord/bench/admin.py: "
            "plain ModelAdmins, region filter, `^name` and `=id_number` search, its usual full result count); "
            "for enterprise 360, the admin's change form of the same enterprise. The dispute pages (the case list's "
            f"first page and the measures of the current year; {small.get('cases', 0):,} / {county.get('cases', 0):,} "
            f"cases, {small.get('town_cases', 0):,} / {county.get('town_cases', 0):,} in the town) and the early-warning "
            f"pages (the alert inbox's first page, ordered by deadline, and the risk table of towns × levels; "
            f"{small.get('alerts', 0):,} / {county.get('alerts', 0):,} alerts, {small.get('town_open_alerts', 0):,} / "
            f"{county.get('town_open_alerts', 0):,} open in the town) and the harmony pages (this year's round's "
            f"applications, first page, and the coverage measures; {small.get('evaluations', 0):,} / "
            f"{county.get('evaluations', 0):,} applications, {small.get('town_evaluations', 0):,} / "
            f"{county.get('town_evaluations', 0):,} in the town) have no admin counterpart.",
            "",
            "| page | user | small ms | county ms | county ÷ small (goal ≤ 2) | queries small / county (equal) "
            "| admin ms small / county | page ÷ admin, county (goal ≤ 1) |",
            "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: |",
        ]
        small_pages, county_pages = report["pages"].get("small", {}), report["pages"].get("county", {})
        for key, county_row in county_pages.items():
            small_row = small_pages.get(key, {})
            for role, role_label in ROLES:
                s, c = small_row.get(role), county_row.get(role)
                if s is None or c is None:
                    lines.append(f"| {county_row['title']} | {role_label} | — | — | not available | | | |")
                    continue
                status = "" if s["status"] == c["status"] == 200 else f" (HTTP {s['status']} / {c['status']})"
                sm, cm = _timing(s), _timing(c)
                seen_s, seen_c = s.get("queries_seen", [s["queries"]]), c.get("queries_seen", [c["queries"]])
                equal = len(set(seen_s) | set(seen_c)) == 1
                queries = f"{'–'.join(map(str, seen_s))} / {'–'.join(map(str, seen_c))} {'✓' if equal else '✗'}"
                admin_s, admin_c = _timing(small_row.get("admin")), _timing(county_row.get("admin"))
                lines.append(
                    f"| {county_row['title']}{status} | {role_label} | {_ms(sm)} | {_ms(cm)} | "
                    f"{_mark(_ratio(cm, sm), GOAL_SCALE_RATIO)} | {queries} | {_ms(admin_s)} / {_ms(admin_c)} | "
                    f"{_mark(_ratio(cm, admin_c), GOAL_ADMIN_RATIO)} |"
                )
        lines.append("")
    lines += render_escalation(report)
    lines += render_scan(report)
    lines += render_harmony(report)
    imp = report.get("import")
    if imp:
        lines += [f"Import of a {imp['rows']:,}-row worker file ({imp['file']}, {imp['file_bytes'] / 1e6:.1f} MB, written "
                  f"with the registry's file spec; every row a new worker with a current job) into a fresh copy of the "
                  f"{imp['base']} database each time:", ""]
        done = imp.get("import") or {}
        raw = imp.get("raw") or {}
        if not done.get("available", True):
            lines += [f"- registry import: not available ({done.get('reason')})", ""]
        else:
            import_rate = imp["rows"] / done["seconds"] if done.get("seconds") else None
            raw_rate = raw["rows"] / raw["seconds"] if raw.get("seconds") else None
            ok = done.get("ok") and done.get("committed") and done.get("new_workers") == imp["rows"]
            lines += [
                "| | seconds | rows/s |",
                "| --- | ---: | ---: |",
                f"| registry import (`import_file(\"workers\", …, commit=True)` as the county admin) | "
                f"{done.get('seconds', 0):.1f} | {import_rate or 0:,.0f} |",
                f"| raw batched INSERT of the same rows (worker + employment, `executemany`, no checks) | "
                f"{raw.get('seconds', 0):.1f} | {raw_rate or 0:,.0f} |",
                "",
                f"Import ÷ raw insert: {_mark(_ratio(import_rate, raw_rate), GOAL_IMPORT_RATIO, less=False)} (goal ≥ 0.4)."
                + ("" if ok else f" The import did not commit all rows: {done.get('errors')}"),
                "",
            ]
    if any("wall_seconds" in s for s in seeding.values()):
        lines += ["| demo generator | wall time (process) | generator | migrate (not counted) |",
                  "| --- | ---: | ---: | ---: |"]
        for db, s in seeding.items():
            if "wall_seconds" not in s:
                continue
            goal = ""
            if db == "county" and report["engine"] == "sqlite":
                goal = (" ✓" if s["wall_seconds"] <= GOAL_SEED_SECONDS else " ✗") + " (goal ≤ 5 min on SQLite)"
            elif db == "county":
                goal = " (goal set for SQLite)"
            generator = f"{s['generator_seconds']:.0f} s" if s.get("generator_seconds") is not None else "—"
            lines.append(f"| `{s['command']}` | {s['wall_seconds']:.0f} s{goal} | {generator} | {s['migrate_seconds']:.0f} s |")
        lines.append("")
    return "\n".join(lines)


def render_escalation(report: dict) -> list[str]:
    rows = report.get("escalation") or {}
    if not rows:
        return []
    lines = [
        "Escalation job: `concord.disputes.services.escalate_overdue(today)` on a fresh copy of each database "
        "(it moves every running case past its deadline below county level up one level, one locked transition "
        "each), against the raw `SELECT id FROM disputes_case WHERE status IN ('accepted','consultation','mediation') "
        "AND deadline < %s AND level <> 'county'` that finds the same cases (median of "
        f"{report['runs']} runs).",
        "",
        "| database | cases | overdue cases processed | job s | raw SELECT ms | job ÷ raw SELECT | job ms per case "
        "| job time (goal < 10 s on SQLite, county) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for db, e in rows.items():
        per_case = e["seconds"] * 1000 / e["overdue"] if e["overdue"] else None
        goal = "—"
        if db == "county":
            goal = f"{e['seconds']:.1f} s {'✓' if e['seconds'] < GOAL_ESCALATION_SECONDS else '✗'}"
            if report["engine"] != "sqlite":
                goal = goal.replace("✓", "").replace("✗", "").strip() + " (goal set for SQLite)"
        ratio = _ratio(e["seconds"], e["raw_seconds"])
        lines.append(
            f"| {db} | {e['cases']:,} | {e['overdue']:,} ({e['result']}; {e['left']} left) | {e['seconds']:.2f} | "
            f"{e['raw_seconds'] * 1000:.2f} | {ratio:,.0f} | {_ms(per_case)} | {goal} |"
            if ratio is not None else f"| {db} | {e['cases']:,} | {e['overdue']:,} | {e['seconds']:.2f} | — | — | — | {goal} |")
    county = rows.get("county")
    if county and county.get("plan"):
        lines += ["", "Plan of the raw SELECT on the county database: `" + " / ".join(county["plan"])[:400] + "`."]
    lines.append("")
    return lines


def render_harmony(report: dict) -> list[str]:
    rows = report.get("harmony") or {}
    if not rows:
        return []
    lines = [
        "Harmony computed indicators: `concord.harmony.services.figures_for` over every enterprise applying in this "
        "year's round (grouped aggregates of employments, wage-arrears signals, dispute cases, risk levels, registry "
        "flags and surveys, in chunks), then `rules.compute` of every computed indicator of each enterprise's class, "
        f"as refreshing the whole round would (median of {report['runs']} runs, read only).",
        "",
        "| database | applying enterprises | indicators computed | queries | figures_for s | rules.compute s | total s "
        "| ms per enterprise |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for db, e in rows.items():
        if not e.get("available", True):
            lines.append(f"| {db} | not available ({e.get('reason')}) | | | | | | |")
            continue
        per = e["seconds"] * 1000 / e["enterprises"] if e["enterprises"] else None
        lines.append(f"| {db} | {e['enterprises']:,} of {e['all_enterprises']:,} | {e['indicators']:,} | {e['queries']} | "
                     f"{e['figures_seconds']:.2f} | {e['compute_seconds']:.2f} | {e['seconds']:.2f} | {_ms(per)} |")
    lines.append("")
    return lines


def render_scan(report: dict) -> list[str]:
    rows = report.get("scan") or {}
    if not rows:
        return []
    lines = [
        "Early-warning scan: `concord.alerts.services.scan(day)` of the day after seeding on a fresh copy of each "
        "database (computed signals from employments and cases, every enterprise with signals or a level assessed "
        "with the pure rules, changed risks and level changes written, alerts raised, lifted and escalated), "
        "against one raw aggregate over the same signals, `SELECT enterprise_id, kind, MAX(value) FROM "
        "alerts_risksignal WHERE observed_on <= %s AND expires_on >= %s GROUP BY enterprise_id, kind` (median of "
        f"{report['runs']} runs); then the same scan again (idempotent: nothing to write).",
        "",
        "| database | enterprises | signals (active) | scan s | result | raw aggregate ms | scan ÷ raw "
        "| same scan again s | scan time (goal < 30 s on SQLite, county) |",
        "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |",
    ]
    for db, e in rows.items():
        goal = "—"
        if db == "county":
            goal = f"{e['seconds']:.1f} s {'✓' if e['seconds'] < GOAL_SCAN_SECONDS else '✗'}"
            if report["engine"] != "sqlite":
                goal = goal.replace("✓", "").replace("✗", "").strip() + " (goal set for SQLite)"
        ratio = _ratio(e["seconds"], e["raw_seconds"])
        lines.append(
            f"| {db} | {e['enterprises']:,} | {e['signals']:,} ({e['active']:,}) | {e['seconds']:.2f} | {e['result']} | "
            f"{e['raw_seconds'] * 1000:.1f} | {'—' if ratio is None else f'{ratio:,.0f}'} | {e['again_seconds']:.2f} "
            f"| {goal} |")
    lines.append("")
    return lines


DOC_HEADER = """# Benchmarks

`manage.py bench` (or `make bench`) builds two demo databases, `small` (`seed_demo --scale small`)
and `county` (`seed_demo --scale county`: 25,000 enterprises, 1,200,000 workers), and measures, in
one run, side by side:

- each list and search page and API list, at both scales: county time ÷ small time (goal ≤ 2) and
  the number of SQL queries (must be equal);
- the same page ÷ the stock Django admin answering the same question on the same data (goal ≤ 1);
- the import of a 100,000-row worker file ÷ a raw batched insert of the same rows (goal ≥ 0.4);
- `seed_demo --scale county` wall time (goal ≤ 5 minutes on SQLite on a 2-core machine);
- the dispute case list and measures pages at both scales (the same two goals as the lists);
- the escalation job `escalate_overdue(today)` over a copy of the county database (goal < 10 s on
  SQLite), against a raw SELECT of the overdue cases it processes;
- the early-warning alert inbox and risk table at both scales (the same two goals as the lists);
- the early-warning scan `concord.alerts.services.scan` over a copy of the county database (200,000
  risk signals; goal < 30 s on SQLite), against one raw aggregate over the same signals;
- the harmony round's application list and coverage measures at both scales (the same two goals as
  the lists), and the time to compute the figures and computed indicators of every applying
  enterprise (about 5,000 at county scale).

The machine is shared, so ratios mean more than absolute times. Each engine's section below is
replaced by the next run on that engine. Options: `manage.py bench --help`; the method is in
`concord/bench/` (docs in its module docstrings).
"""


def write_doc(path: Path, engine, text: str) -> None:
    start, end = f"<!-- bench:{engine.name} -->", f"<!-- /bench:{engine.name} -->"
    section = f"{start}\n## {engine.label}\n\n{text.rstrip()}\n{end}\n"
    current = path.read_text(encoding="utf-8") if path.exists() else DOC_HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.S)
    if pattern.search(current):
        current = pattern.sub(lambda _m: section, current)
    else:
        current = current.rstrip() + "\n\n" + section
    path.write_text(current, encoding="utf-8")


def command_line(argv: list[str]) -> str:
    return "manage.py " + " ".join(shlex.quote(a) for a in argv)
