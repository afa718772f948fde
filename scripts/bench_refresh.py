"""Benchmark: one full refresh (every indicator + data quality) of the demo school,
in both engine modes, on SQLite, PostgreSQL and MariaDB.

Each source is first written the way an ETL job or a view layer leaves a
school's platform — plain tables, no index, no ANALYZE — and the refresh is
timed in extract mode ("bare"). Then the demo loader's indexes and ANALYZE are
added and both modes are timed again ("indexed"), side by side. Pushdown on a
bare source is what issue 8 measured at 683–831 s on PostgreSQL at scale 1: it
is only run when ``--bare-pushdown-timeout`` is given, capped by the source's
statement timeout, and reported as timed out when it is.

Each measurement runs in a fresh subprocess so that its peak memory (ru_maxrss)
is its own. Usage:

    .venv/bin/python scripts/bench_refresh.py --scales 1 10 --engines sqlite postgresql mariadb

Sources are written once per run into data/bench/ (SQLite) or databases named
cockpit_bench_<scale> (PostgreSQL, MariaDB; dropped and re-created).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "data" / "bench"
TODAY = date(2026, 11, 21)
PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
MARIADB = "mysql+mysqldb://root@127.0.0.1:3306"  # mysqlclient, the C driver


def _options(mode: str):
    import yaml

    from metrics.engine import EngineOptions
    from metrics.extract import ExtractOptions

    e = yaml.safe_load((ROOT / "config" / "default.yaml").read_text(encoding="utf-8"))["engine"]
    return EngineOptions(
        mode, ExtractOptions(e["chunk_rows"], e["memory_limit_mb"], e["threads"]), e["max_connections"]
    ), e


def _one(url: str, mode: str, timeout: float | None) -> None:
    """Child process: one refresh through the guarded source engine; JSON on stdout.

    ``mode`` "old-pushdown": the code of another checkout (``BENCH_CODE_ROOT``,
    e.g. a worktree of the commit before issue 8), which had neither modes nor
    source guards: a plain engine with the same statement timeout.
    """
    from sqlalchemy.exc import DBAPIError

    import metrics.engine
    from metrics.engine import compute

    SourceError = getattr(metrics.engine, "SourceError", RuntimeError)
    start = time.perf_counter()
    out: dict = {}
    if mode == "old-pushdown":
        from sqlalchemy import create_engine

        engine = create_engine(url, connect_args=_timeout_args(url, timeout or 300))
        start = time.perf_counter()
        try:
            result = compute(engine, TODAY)
            out = {
                "values": len(result.values),
                "failed": sorted(result.failed),
                "extract_s": 0,
                "extract_mb": 0,
            }
        except (SourceError, DBAPIError) as exc:
            out = {"error": str(exc)[:200]}
    else:
        from metrics.source import SourceLimits, open_source

        options, e = _options(mode)
        limits = SourceLimits(timeout or e["statement_timeout_seconds"], e["max_connections"])
        engine = open_source(url, limits)
        start = time.perf_counter()
        try:
            result = compute(engine, TODAY, options=options)
            out = {"values": len(result.values), "failed": sorted(result.failed)}
            out["extract_s"] = sum(s["seconds"] for s in result.extract.values())
            out["extract_mb"] = sum(s["bytes"] for s in result.extract.values()) / 2**20
        except SourceError as exc:
            out = {"error": str(exc)[:200]}
    out["seconds"] = time.perf_counter() - start
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    engine.dispose()
    print(json.dumps(out))


def _timeout_args(url: str, seconds: float) -> dict:
    """The statement timeout for the old code's plain engine (which set none itself)."""
    if url.startswith("postgresql"):
        return {"options": f"-c statement_timeout={int(seconds * 1000)}"}
    if url.startswith("mysql"):
        return {"init_command": f"SET SESSION max_statement_time = {seconds:g}"}
    return {}


def _load() -> float:
    """The 1-minute load average of the machine (2 cores: above 2 means others are running)."""
    return os.getloadavg()[0]


def _write(engine_name: str, scale: float) -> str:
    """Child process: the demo school at ``scale``, bare (no index, no ANALYZE); prints its URL."""
    from sqlalchemy import create_engine, text

    from cockpit.demo.generator import generate

    name = f"cockpit_bench_{scale:g}".replace(".", "_")
    if engine_name == "sqlite":
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        path = BENCH_DIR / f"bare-scale{scale:g}.sqlite"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        server = PG if engine_name == "postgresql" else MARIADB
        admin = create_engine(f"{server}/" + ("postgres" if engine_name == "postgresql" else ""))
        admin = admin.execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if engine_name == "postgresql":
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
            else:
                conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
                conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
        admin.dispose()
        url = f"{server}/{name}" + ("?charset=utf8mb4" if engine_name == "mariadb" else "")
    generate(url, scale=scale, seed=2026, today=TODAY, indexes=False)
    if engine_name == "postgresql":  # keep autovacuum from analysing the bare tables behind our back
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            for t in conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")):
                conn.execute(text(f'ALTER TABLE "{t[0]}" SET (autovacuum_enabled = false)'))
        engine.dispose()
    return url


def _index(url: str) -> None:
    """Child process: the demo loader's indexes and ANALYZE on a bare source."""
    from sqlalchemy import create_engine

    from cockpit.demo.writer import index

    engine = create_engine(url)
    with engine.connect() as conn:
        index(engine, conn)
        conn.commit()
    engine.dispose()


def _child(*args: str, code_root: Path = ROOT) -> str:
    env = {**os.environ, "PYTHONPATH": str(code_root), "BENCH_CODE_ROOT": str(code_root)}
    out = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True, cwd=code_root, env=env
    )
    lines = out.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def _measure(url: str, mode: str, repeat: int, timeout: float | None = None, code_root: Path = ROOT) -> dict:
    runs = []
    loads = []
    for _ in range(repeat):
        loads.append(_load())
        runs.append(json.loads(_child("--child", url, mode, str(timeout or 0), code_root=code_root)))
        loads.append(_load())
    load = f"{min(loads):.1f}–{max(loads):.1f}"
    if any("error" in r for r in runs):
        return {"error": runs[0].get("error", ""), "seconds": max(r["seconds"] for r in runs), "load": load}
    secs = [r["seconds"] for r in runs]
    return {
        "load": load,
        "runs": len(runs),
        "median": statistics.median(secs),
        "best": min(secs),
        "peak_mb": max(r["peak_mb"] for r in runs),
        "values": runs[0]["values"],
        "failed": runs[0]["failed"],
        "extract_s": statistics.median(r["extract_s"] for r in runs),
        "extract_mb": runs[0]["extract_mb"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 10])
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql", "mariadb"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--bare-pushdown-timeout", type=float, default=0, help="seconds; 0 = not run")
    parser.add_argument(
        "--pushdown-timeout", type=float, default=0, help="statement timeout of indexed pushdown (0: config)"
    )
    parser.add_argument(
        "--old-root",
        type=Path,
        help="a checkout of the code before issue 8 (git worktree add /tmp/old dd4f981): its pushdown "
        "is timed on the indexed source next to today's",
    )
    parser.add_argument("--no-bare", action="store_true", help="index at once (pushdown comparisons only)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--write", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--index", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, os.environ.get("BENCH_CODE_ROOT", str(ROOT)))
    if args.child:
        url, mode, timeout = args.child
        _one(url, mode, float(timeout) or None)
        return
    if args.write:
        print(_write(args.write[0], float(args.write[1])))
        return
    if args.index:
        _index(args.index)
        return
    rows = []
    for scale in args.scales:
        for name in args.engines:
            t0 = time.perf_counter()
            url = _child("--write", name, f"{scale:g}")
            print(
                f"{name} scale {scale:g}: written bare in {time.perf_counter() - t0:.0f} s", file=sys.stderr
            )
            cases = []
            if not args.no_bare:
                cases.append(("bare", "extract", _measure(url, "extract", args.repeat)))
                _report(cases[-1])
            if args.bare_pushdown_timeout:
                cases.append(("bare", "pushdown", _measure(url, "pushdown", 1, args.bare_pushdown_timeout)))
                _report(cases[-1])
            _child("--index", url)
            if not args.no_bare:
                cases.append(("indexed", "extract", _measure(url, "extract", args.repeat)))
                _report(cases[-1])
            timeout = args.pushdown_timeout or None
            # Old and new pushdown alternate run by run, so that both see the same load.
            for _ in range(args.repeat if args.old_root else 1):
                n = 1 if args.old_root else args.repeat
                cases.append(("indexed", "pushdown", _measure(url, "pushdown", n, timeout)))
                _report(cases[-1])
                if args.old_root and name != "sqlite":
                    old = _measure(url, "old-pushdown", 1, timeout, code_root=args.old_root.resolve())
                    cases.append(("indexed", "pushdown before issue 8", old))
                    _report(cases[-1])
            cases = _merge(cases)
            for source, mode, m in cases:
                rows.append((scale, name, source, mode, m))
    print(
        "| scale | engine | source | mode | runs | median s | best s | of which extract s | extract MB "
        "| peak MB | load (1 min) | indicators failed |"
    )
    print("|---:|---|---|---|---:|---:|---:|---:|---:|---:|---|---:|")
    for scale, name, source, mode, m in rows:
        if "error" in m:
            print(
                f"| {scale:g} | {name} | {source} | {mode} | | stopped at {m['seconds']:.0f} | | | | "
                f"| {m['load']} | all |"
            )
            continue
        ex = f"{m['extract_s']:.2f}" if mode == "extract" else ""
        mb = f"{m['extract_mb']:.0f}" if mode == "extract" else ""
        print(
            f"| {scale:g} | {name} | {source} | {mode} | {m['runs']} | {m['median']:.2f} | {m['best']:.2f} "
            f"| {ex} | {mb} | {m['peak_mb']:.0f} | {m['load']} | {len(m['failed']) or ''} |"
        )
    for name in args.engines:
        bare = {r[0]: r[4] for r in rows if r[1] == name and r[2] == "bare" and r[3] == "extract"}
        if len(bare) > 1 and all("median" in m for m in bare.values()):
            lo, hi = min(bare), max(bare)
            print(f"\n{name}: extract time grows ×{bare[hi]['median'] / bare[lo]['median']:.1f} "
                  f"from scale {lo:g} to {hi:g}")  # fmt: skip


def _report(case: tuple[str, str, dict]) -> None:
    source, mode, m = case
    print(f"  {source} {mode}: {json.dumps(m)}", file=sys.stderr, flush=True)


def _merge(cases: list[tuple[str, str, dict]]) -> list[tuple[str, str, dict]]:
    """One row per (source, mode): interleaved single runs folded into a median."""
    merged: dict[tuple[str, str], list[dict]] = {}
    for source, mode, m in cases:
        merged.setdefault((source, mode), []).append(m)
    out = []
    for (source, mode), ms in merged.items():
        if len(ms) == 1:
            out.append((source, mode, ms[0]))
            continue
        errors = [m for m in ms if "error" in m]
        loads = [x for m in ms for x in map(float, m["load"].split("–"))]
        load = f"{min(loads):.1f}–{max(loads):.1f}"
        if errors:
            out.append((source, mode, {**errors[0], "load": load}))
            continue
        secs = [m["median"] for m in ms]
        first = ms[0]
        out.append(
            (
                source,
                mode,
                {
                    **first,
                    "runs": len(ms),
                    "median": statistics.median(secs),
                    "best": min(secs),
                    "peak_mb": max(m["peak_mb"] for m in ms),
                    "load": load,
                },
            )
        )
    return out


if __name__ == "__main__":
    main()
