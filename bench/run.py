"""``make bench``: BankBridge against its floor and against Prism, side by side, in one run.

Every server is pinned to core 0 and wrk to core 1. Rounds are interleaved (each round runs
every target once, in the same order) and the table reports medians over rounds; only ratios
from this one run are meaningful. Targets:

- floor (raw ASGI) and floor (Starlette): uvicorn answering the bytes of a real BankBridge GET,
  with the uvicorn settings ``bankbridge serve`` uses (uvicorn's own access log off);
- BankBridge ``GET /exchange-sessions/{id}`` as users start it (``bankbridge serve`` with its
  defaults: BankBridge's own access log on, written to a file), on SQLite with 1k, 100k and
  1M stored sessions and on PostgreSQL with 100k, rotating at random over many (token,
  session) pairs from many accounts;
- BankBridge ``POST /customers/{id}/exchange-sessions`` (sandbox partners mixed) on SQLite and
  PostgreSQL;
- Prism mocking Dwolla's OpenAPI spec, for the same GET and POST.

A target whose tool is missing (Prism without npm, PostgreSQL not reachable) is left out and
the table says why. Results go to ``var/bench/results.json`` and into ``BENCHMARKS.md``
between its ``bench:results`` markers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import seed as seeding  # noqa: E402

PUBLIC_URL = "http://127.0.0.1:8000"  # the base of every href in every bench document
PARTNER_HREFS = {
    "mx": f"{PUBLIC_URL}/exchange-partners/713fb394-20e5-58d1-8e26-8ed67d5bcddb",
    "plaid": f"{PUBLIC_URL}/exchange-partners/cc37a51a-9674-5d46-b5d2-097d54ac7e8d",
    "checkout": f"{PUBLIC_URL}/exchange-partners/a262294e-a098-5226-a367-a6231e402a42",
}
PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DB = "bankbridge_bench"
PG_GET_DB = "bankbridge_bench_get"
MAIN_SIZE = 100_000
MARK_START = "<!-- bench:results:start -->"
MARK_END = "<!-- bench:results:end -->"


@dataclass
class Target:
    """One server under load, and its wrk results per round."""

    name: str
    kind: str  # "get" or "post"
    requests_file: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    skipped: str | None = None
    runs: list[dict[str, Any]] = field(default_factory=list)
    rss_kb: int | None = None
    env: dict[str, str] = field(default_factory=dict)

    def median(self, key: str) -> float:
        """The median of one wrk figure over rounds."""
        return float(statistics.median(r[key] for r in self.runs))


def main() -> int:
    """Run the benchmark; exit 0 even when targets miss (the report says so)."""
    args = _arguments()
    var = ROOT / "var" / "bench"
    var.mkdir(parents=True, exist_ok=True)
    wrk = shutil.which("wrk")
    if wrk is None:
        print("bench: wrk is not installed (apt-get install wrk); nothing to measure")
        return 1
    pinning = (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None
    env_base = {**os.environ, "BANKBRIDGE_PUBLIC_URL": PUBLIC_URL, "BANKBRIDGE_MODE": "sandbox"}
    env_base.pop("BANKBRIDGE_DATABASE_URL", None)
    started = time.monotonic()

    # Data ---------------------------------------------------------------------------
    get_targets: dict[int, Target] = {}
    for size in args.sizes:
        url, pairs = _get_database(var, size)
        get_targets[size] = Target(f"BankBridge GET, SQLite, {_count(size)} sessions", "get", pairs)
        get_targets[size].env = {"BANKBRIDGE_DATABASE_URL": url}
    main_get = get_targets[MAIN_SIZE if MAIN_SIZE in get_targets else args.sizes[-1]]
    pg_size = MAIN_SIZE if MAIN_SIZE in get_targets else args.sizes[-1]
    get_pg = Target(f"BankBridge GET, PostgreSQL, {_count(pg_size)} sessions", "get", var)
    pg_get_url = _postgres_url(PG_GET_DB)
    if pg_get_url is None:
        get_pg.skipped = "PostgreSQL not reachable at " + PG_ADMIN
    else:
        get_pg.requests_file = _get_database_pg(var, pg_get_url, pg_size)
        get_pg.env = {"BANKBRIDGE_DATABASE_URL": pg_get_url}
    if args.get_only:  # a quick check of the read path: no POST data to seed, no Prism
        post_sqlite = Target("BankBridge POST, SQLite", "post", var / "post-sqlite.requests")
        post_pg = Target("BankBridge POST, PostgreSQL", "post", var / "post-pg.requests")
        post_sqlite.skipped = post_pg.skipped = "left out (--get-only)"
        prism_cmd, prism_why = None, "left out (--get-only)"
    else:
        post_sqlite = _post_target("BankBridge POST, SQLite", f"sqlite:///{var}/post.db", var)
        post_pg = _post_target("BankBridge POST, PostgreSQL", _postgres_url(PG_DB), var)
        prism_cmd, prism_why = _prism(args)
    floor_body = var / "floor-body.json"
    targets = [
        Target("floor: raw ASGI on uvicorn", "get", main_get.requests_file),
        Target("floor: Starlette on uvicorn", "get", main_get.requests_file),
        *get_targets.values(),
        get_pg,
        post_sqlite,
        post_pg,
        Target("Prism GET (mock of Dwolla's spec)", "get", main_get.requests_file),
        Target("Prism POST (mock of Dwolla's spec)", "post", post_sqlite.requests_file),
    ]
    floor_raw, floor_star, prism_get, prism_post = (
        targets[0],
        targets[1],
        targets[-2],
        targets[-1],
    )
    if prism_cmd is None:
        prism_get.skipped = prism_post.skipped = prism_why

    # Servers ------------------------------------------------------------------------
    # The default configuration, as users start it: BankBridge's access log on (to the
    # server's log file), uvicorn's own off (floor.py runs uvicorn with the same settings).
    serve = [_bin("bankbridge"), "serve", "--port", "{port}"]
    try:
        for target in [*get_targets.values(), get_pg]:
            if target.skipped is None:
                env = {**env_base, **target.env, "BANKBRIDGE_SECRET_KEY": seeding.SECRET_KEY}
                _start(target, serve, env, pinning)
        _capture_body(main_get, floor_body)
        py = _bin("python")
        _start(
            floor_raw,
            [py, str(HERE / "floor.py"), "raw", "{port}", str(floor_body)],
            env_base,
            pinning,
        )
        _start(
            floor_star,
            [py, str(HERE / "floor.py"), "starlette", "{port}", str(floor_body)],
            env_base,
            pinning,
        )
        for target in (post_sqlite, post_pg):
            if target.skipped is None:
                env = {**env_base, **target.env, "BANKBRIDGE_SECRET_KEY": seeding.SECRET_KEY}
                _start(target, serve, env, pinning)
        if prism_cmd is not None:
            _start(prism_get, [*prism_cmd, "-p", "{port}"], env_base, pinning)
            prism_post.port, prism_post.process = prism_get.port, None

        live = [t for t in targets if t.skipped is None]
        for size in get_targets:
            _warm_page_cache(var / f"get-{size}.db")
        print(f"bench: warming up {len(live)} targets", flush=True)
        for target in live:
            _wrk(wrk, target, 2, args.connections, pinning)
        for number in range(1, args.rounds + 1):
            for target in live:
                result = _wrk(wrk, target, args.duration, args.connections, pinning)
                target.runs.append(result)
                print(
                    f"  round {number}/{args.rounds}  {target.name:<44} "
                    f"{result['rps']:>9.0f} req/s  p50 {result['p50_us'] / 1000:6.2f} ms  "
                    f"p99 {result['p99_us'] / 1000:6.2f} ms  {_statuses(result)}",
                    flush=True,
                )
        for target in live:
            process = target.process or (prism_get.process if target is prism_post else None)
            target.rss_kb = _rss_kb(process) if process is not None else None
    finally:
        for target in targets:
            _stop(target)

    report = _report(
        targets,
        floor_raw,
        main_get,
        get_pg,
        prism_get,
        prism_post,
        post_sqlite,
        post_pg,
        get_targets,
        args,
        pinning,
        time.monotonic() - started,
    )
    if not args.get_only and args.webhooks:
        report += "\n\n" + _webhook_bench(pinning, with_pg=post_pg.skipped is None)
    print()
    print(report)
    (var / "results.json").write_text(
        json.dumps(
            {t.name: {"runs": t.runs, "rss_kb": t.rss_kb, "skipped": t.skipped} for t in targets},
            indent=2,
        )
    )
    if args.write:
        _write_benchmarks(ROOT / "BENCHMARKS.md", report)
        print("bench: results written to BENCHMARKS.md and var/bench/results.json")
    return 0


# Data ---------------------------------------------------------------------------------


def _get_database(var: Path, size: int) -> tuple[str, Path]:
    """A seeded GET database (reused while its seed version and migrations match)."""
    path = var / f"get-{size}.db"
    url = f"sqlite:///{path}"
    meta_file = var / f"get-{size}.json"
    stamp = _seed_stamp()
    meta = json.loads(meta_file.read_text()) if meta_file.exists() else {}
    if meta.get("stamp") != stamp or not path.exists():
        for leftover in var.glob(f"get-{size}.db*"):
            leftover.unlink()
        print(f"bench: seeding {_count(size)} sessions into {path.name}", flush=True)
        began = time.monotonic()
        result = seeding.seed(url, PUBLIC_URL, size, accounts=20)
        meta = {
            "stamp": stamp,
            "seconds": round(time.monotonic() - began, 1),
            "accounts": [c.__dict__ for c in result.accounts],
            "sessions": result.sessions,
        }
        meta_file.write_text(json.dumps(meta))
        print(f"bench:   seeded in {meta['seconds']} s", flush=True)
    accounts = [seeding.Credentials(**c) for c in meta["accounts"]]
    return url, _write_pairs(var / f"get-{size}.pairs", url, accounts, meta["sessions"])


def _post_target(name: str, url: str | None, var: Path) -> Target:
    """A fresh database with accounts and customers for the create-session load."""
    slug = "pg" if url is None or not url.startswith("sqlite") else "sqlite"
    target = Target(name, "post", var / f"post-{slug}.requests")
    if url is None:
        target.skipped = "PostgreSQL not reachable at " + PG_ADMIN
        return target
    if url.startswith("sqlite"):
        for leftover in var.glob("post.db*"):
            leftover.unlink()
    result = seeding.seed(url, PUBLIC_URL, 1000, accounts=20, customers_per_account=50)
    tokens = seeding.issue_tokens(url, result.accounts)
    lines: list[str] = []
    for credentials, token in zip(result.accounts, tokens, strict=True):
        for customer in result.customers[credentials.account_id]:
            lines.extend(f"{token} {customer} {href}\n" for href in PARTNER_HREFS.values())
    target.requests_file.write_text("".join(lines))
    target.env = {"BANKBRIDGE_DATABASE_URL": url}
    return target


def _get_database_pg(var: Path, url: str, size: int) -> Path:
    """The PostgreSQL GET database (seeded afresh each run): its (token, session) pairs."""
    print(f"bench: seeding {_count(size)} sessions into PostgreSQL {PG_GET_DB}", flush=True)
    result = seeding.seed(url, PUBLIC_URL, size, accounts=20)
    return _write_pairs(var / "get-pg.pairs", url, result.accounts, result.sessions)


def _write_pairs(
    pairs: Path, url: str, accounts: list[seeding.Credentials], sessions: list[Any]
) -> Path:
    """wrk's (token, session id) lines: a fresh token per account, for its sessions."""
    issued = seeding.issue_tokens(url, accounts)
    tokens = dict(zip([c.account_id for c in accounts], issued, strict=True))
    pairs.write_text("".join(f"{tokens[a]} {s}\n" for a, s in sessions))
    return pairs


def _postgres_url(name: str) -> str | None:
    """A freshly created bench database on the local PostgreSQL, or None."""
    import asyncio

    import asyncpg

    async def create() -> None:
        conn = await asyncpg.connect(PG_ADMIN, timeout=5)
        try:
            await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            await conn.execute(f"CREATE DATABASE {name}")
        finally:
            await conn.close()

    try:
        asyncio.run(create())
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        print(f"bench: PostgreSQL left out: {exc}", flush=True)
        return None
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def _seed_stamp() -> str:
    migrations = sorted(p.name for p in (ROOT / "src/bankbridge/store/migrations").glob("*.sql"))
    return f"{seeding.SEED_VERSION}:{','.join(migrations)}"


def _prism(args: argparse.Namespace) -> tuple[list[str] | None, str]:
    if args.no_prism:
        return None, "left out (--no-prism)"
    spec = Path(
        os.environ.get("DWOLLA_OPENAPI_SPEC") or ROOT.parent / "shared/dwolla-openapi/openapi.yml"
    )
    binary = HERE / "node_modules/.bin/prism"
    if not spec.exists():
        return None, f"left out: no OpenAPI spec at {spec} (set DWOLLA_OPENAPI_SPEC)"
    if not binary.exists():
        return None, "left out: Prism is not installed (npm missing or `npm install` failed)"
    return [str(binary), "mock", str(spec), "-h", "127.0.0.1"], ""


# Processes ----------------------------------------------------------------------------


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _start(target: Target, command: list[str], env: dict[str, str], pinning: bool) -> None:
    target.port = _free_port()
    command = [part.replace("{port}", str(target.port)) for part in command]
    if pinning:
        command = ["taskset", "-c", "0", *command]
    log = (ROOT / "var" / "bench" / f"server-{target.port}.log").open("wb")
    target.process = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if target.process.poll() is not None:
            raise RuntimeError(f"{target.name} exited at start; see {log.name}")
        try:
            with socket.create_connection(("127.0.0.1", target.port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{target.name} did not start listening within 90 s")


def _stop(target: Target) -> None:
    process = target.process
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)  # the group this script started for the server
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _capture_body(target: Target, path: Path) -> None:
    """The bytes a real BankBridge GET answers: the floors serve exactly these."""
    token, session_id = target.requests_file.read_text().split("\n", 1)[0].split()
    request = urllib.request.Request(
        f"http://127.0.0.1:{target.port}/exchange-sessions/{session_id}",
        headers={
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.dwolla.v1.hal+json",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        path.write_bytes(response.read())


def _warm_page_cache(path: Path) -> None:
    """Read a database file once, so the OS page cache holds it as on a server that has been
    running: the 2 s warm-up touches a few percent of a 1M-session file, and each first read
    of a page from disk (~0.1 ms) would otherwise be measured as the growth of the read."""
    with path.open("rb") as f:
        while f.read(1 << 20):
            pass


def _rss_kb(process: subprocess.Popen[bytes]) -> int | None:
    try:
        status = Path(f"/proc/{process.pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) if found else None


def _wrk(wrk: str, target: Target, seconds: int, connections: int, pinning: bool) -> dict[str, Any]:
    script = HERE / "wrk" / f"{target.kind}.lua"
    command = [
        wrk,
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "-s",
        str(script),
        f"http://127.0.0.1:{target.port}",
        "--",
        str(target.requests_file),
    ]
    if pinning:
        command = ["taskset", "-c", "1", *command]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in output.splitlines() if ln.startswith("WRKJSON "))
    result: dict[str, Any] = json.loads(line[len("WRKJSON ") :])
    result["rps"] = result["requests"] / result["seconds"]
    return result


# Report -------------------------------------------------------------------------------


def _report(
    targets: list[Target],
    floor: Target,
    get: Target,
    get_pg: Target,
    prism_get: Target,
    prism_post: Target,
    post_sqlite: Target,
    post_pg: Target,
    growth: dict[int, Target],
    args: argparse.Namespace,
    pinning: bool,
    elapsed: float,
) -> str:
    lines = [
        f"Run of {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {elapsed / 60:.1f} min: "
        f"{args.rounds} interleaved rounds of `wrk -t1 -c{args.connections} -d{args.duration}s` "
        f"per target, medians shown; "
        + ("servers pinned to core 0, wrk to core 1." if pinning else "NOT pinned (one core)."),
        "",
        "Machine: " + _machine(),
        "",
        "| target | req/s | p50 ms | p99 ms | statuses | server RSS MB |",
        "| --- | ---: | ---: | ---: | --- | ---: |",
    ]
    for t in targets:
        if t.skipped or not t.runs:
            lines.append(f"| {t.name} | — | — | — | {t.skipped or 'no result'} | — |")
            continue
        statuses: dict[str, int] = {}
        for run in t.runs:
            for code, n in run["statuses"].items():
                statuses[code] = statuses.get(code, 0) + n
        errors = sum(r["socket_errors"] for r in t.runs)
        status_text = ", ".join(f"{c}: {n}" for c, n in sorted(statuses.items()))
        if errors:
            status_text += f", socket errors: {errors}"
        rss = f"{t.rss_kb / 1024:.0f}" if t.rss_kb else "—"
        lines.append(
            f"| {t.name} | {t.median('rps'):,.0f} | {t.median('p50_us') / 1000:.2f} | "
            f"{t.median('p99_us') / 1000:.2f} | {status_text} | {rss} |"
        )
    lines += ["", "| target | measured | goal | |", "| --- | ---: | ---: | --- |"]

    def ratio(label: str, value: float | None, goal: str, ok: bool | None, why: str = "") -> None:
        shown = "—" if value is None else f"{value:.2f}"
        verdict = why if value is None else ("met" if ok else "**missed**")
        if value is not None and goal == "(info)":
            verdict = "reported"
        lines.append(f"| {label} | {shown} | {goal} | {verdict} |")

    def have(t: Target) -> bool:
        return t.skipped is None and bool(t.runs)

    r: float | None
    if have(get) and have(floor):
        r = get.median("rps") / floor.median("rps")
        ratio("GET req/s ÷ floor req/s", r, "≥ 0.5", r >= 0.5)
        r = get.median("p99_us") / floor.median("p99_us")
        ratio("GET p99 ÷ floor p99", r, "≤ 2", r <= 2)
        if have(get_pg):
            r = get_pg.median("rps") / floor.median("rps")
            ratio("GET (PostgreSQL) req/s ÷ floor req/s", r, "(info)", True)
            r = get_pg.median("p99_us") / floor.median("p99_us")
            ratio("GET (PostgreSQL) p99 ÷ floor p99", r, "(info)", True)
    if have(get):
        r = get.median("rps") / prism_get.median("rps") if have(prism_get) else None
        ratio(
            "GET req/s ÷ Prism GET req/s",
            r,
            "≥ 15",
            r is not None and r >= 15,
            prism_get.skipped or "",
        )
        for post in (post_sqlite, post_pg):
            r = post.median("rps") / get.median("rps") if have(post) else None
            ratio(
                f"{post.name} req/s ÷ GET req/s",
                r,
                "≥ 0.2",
                r is not None and r >= 0.2,
                post.skipped or "",
            )
            if have(post):
                bad = sum(n for run in post.runs for c, n in run["statuses"].items() if c != "201")
                bad += sum(run["socket_errors"] for run in post.runs)
                if post is post_pg and have(get_pg):
                    r = post.median("rps") / get_pg.median("rps")
                    ratio(f"{post.name} req/s ÷ GET (PostgreSQL) req/s", r, "(info)", True)
                lines.append(
                    f"| {post.name}: responses other than 201 | {bad} | 0 | "
                    f"{'met' if bad == 0 else '**missed**'} |"
                )
        if have(prism_post):
            r = post_sqlite.median("rps") / prism_post.median("rps") if have(post_sqlite) else None
            ratio("POST (SQLite) req/s ÷ Prism POST req/s", r, "(info)", True)
    sizes = sorted(growth)
    if len(sizes) >= 2 and all(have(growth[s]) for s in sizes):
        small, large = growth[sizes[0]], growth[sizes[-1]]
        growth_ratio = large.median("p50_us") / small.median("p50_us")
        ratio(
            f"GET p50 at {_count(sizes[-1])} ÷ p50 at {_count(sizes[0])}",
            growth_ratio,
            "≤ 1.25",
            growth_ratio <= 1.25,
        )
        if large.rss_kb:
            mb = large.rss_kb / 1024
            lines.append(
                f"| server RSS at {_count(sizes[-1])} sessions (MB) | {mb:.0f} | ≤ 200 | "
                f"{'met' if mb <= 200 else '**missed**'} |"
            )
    return "\n".join(lines)


def _webhook_bench(pinning: bool, with_pg: bool) -> str:
    """``bench/webhooks.py`` (delivery throughput and delay), pinned like the servers."""
    print("bench: webhook delivery", flush=True)
    command = [_bin("python"), str(HERE / "webhooks.py"), *(["--pg", PG_ADMIN] if with_pg else [])]
    done = subprocess.run(
        ["taskset", "-c", "0", *command] if pinning else command,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return f"Webhook delivery: not measured ({done.stderr.strip().splitlines()[-1:]})"
    return done.stdout.strip()


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        cpu = found.group(1).strip() if found else cpu
        mem = re.search(r"^MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text(), re.M)
        ram = f"{int(mem.group(1)) / 1024 / 1024:.1f} GiB RAM" if mem else "RAM unknown"
    except OSError:
        ram = "RAM unknown"
    from importlib.metadata import version

    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split(" [")[
        0
    ]
    import sqlite3

    return (
        f"{os.cpu_count()} cores ({cpu}), {ram}, Linux {platform.release()}; "
        f"Python {platform.python_version()}, uvicorn {version('uvicorn')} (uvloop "
        f"{version('uvloop')}, httptools {version('httptools')}), "
        f"Starlette {version('starlette')}, "
        f"SQLite {sqlite3.sqlite_version}, asyncpg {version('asyncpg')}, {wrk_version.strip()}"
    )


def _write_benchmarks(path: Path, report: str) -> None:
    text = path.read_text() if path.exists() else f"# Benchmarks\n\n{MARK_START}\n{MARK_END}\n"
    if MARK_START not in text:
        text += f"\n{MARK_START}\n{MARK_END}\n"
    head, rest = text.split(MARK_START, 1)
    _, tail = rest.split(MARK_END, 1)
    path.write_text(f"{head}{MARK_START}\n{report}\n{MARK_END}{tail}")


def _statuses(result: dict[str, Any]) -> str:
    text = " ".join(f"{c}:{n}" for c, n in sorted(result["statuses"].items()))
    return text + (f" errors:{result['socket_errors']}" if result["socket_errors"] else "")


def _count(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k" if n >= 1000 else str(n)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--sizes",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[1_000, 100_000, 1_000_000],
        help="stored sessions for the GET/growth targets (comma-separated)",
    )
    parser.add_argument("--no-prism", action="store_true")
    parser.add_argument(
        "--get-only",
        action="store_true",
        help="only the floors and the GET targets (no POST targets, no Prism)",
    )
    parser.add_argument(
        "--no-write", dest="write", action="store_false", help="do not update BENCHMARKS.md"
    )
    parser.add_argument(
        "--no-webhooks", dest="webhooks", action="store_false", help="no webhook delivery bench"
    )
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
