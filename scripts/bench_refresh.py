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
MARIADB = "mysql+pymysql://root@127.0.0.1:3306"


def _options(mode: str):
    import yaml

    from metrics.engine import EngineOptions
    from metrics.extract import ExtractOptions

    e = yaml.safe_load((ROOT / "config" / "default.yaml").read_text(encoding="utf-8"))["engine"]
    return EngineOptions(mode, ExtractOptions(e["chunk_rows"], e["memory_limit_mb"], e["threads"])), e


def _one(url: str, mode: str, timeout: float | None) -> None:
    """Child process: one refresh through the guarded source engine; JSON on stdout."""
    from metrics.engine import SourceError, compute
    from metrics.source import SourceLimits, open_source

    options, e = _options(mode)
    limits = SourceLimits(timeout or e["statement_timeout_seconds"], e["max_connections"])
    engine = open_source(url, limits)
    start = time.perf_counter()
    out: dict = {}
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


def _child(*args: str) -> str:
    out = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True, cwd=ROOT
    )
    lines = out.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def _measure(url: str, mode: str, repeat: int, timeout: float | None = None) -> dict:
    runs = [json.loads(_child("--child", url, mode, str(timeout or 0))) for _ in range(repeat)]
    if any("error" in r for r in runs):
        return {"error": runs[0].get("error", ""), "seconds": max(r["seconds"] for r in runs)}
    secs = [r["seconds"] for r in runs]
    return {
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
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--write", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--index", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
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
            cases = [("bare", "extract", _measure(url, "extract", args.repeat))]
            if args.bare_pushdown_timeout:
                cases.append(("bare", "pushdown", _measure(url, "pushdown", 1, args.bare_pushdown_timeout)))
            _child("--index", url)
            cases.append(("indexed", "extract", _measure(url, "extract", args.repeat)))
            cases.append(
                ("indexed", "pushdown", _measure(url, "pushdown", args.repeat, args.pushdown_timeout or None))
            )
            for source, mode, m in cases:
                rows.append((scale, name, source, mode, m))
                print(f"  {source} {mode}: {json.dumps(m)}", file=sys.stderr)
    print(
        "| scale | engine | source | mode | median s | best s | of which extract s | extract MB | peak MB "
        "| indicators failed |"
    )
    print("|---:|---|---|---|---:|---:|---:|---:|---:|---:|")
    for scale, name, source, mode, m in rows:
        if "error" in m:
            print(f"| {scale:g} | {name} | {source} | {mode} | stopped at {m['seconds']:.0f} | | | | | all |")
            continue
        ex = f"{m['extract_s']:.2f}" if mode == "extract" else ""
        mb = f"{m['extract_mb']:.0f}" if mode == "extract" else ""
        print(
            f"| {scale:g} | {name} | {source} | {mode} | {m['median']:.2f} | {m['best']:.2f} | {ex} | {mb} "
            f"| {m['peak_mb']:.0f} | {len(m['failed']) or ''} |"
        )
    for name in args.engines:
        bare = {r[0]: r[4] for r in rows if r[1] == name and r[2] == "bare" and r[3] == "extract"}
        if len(bare) > 1 and all("median" in m for m in bare.values()):
            lo, hi = min(bare), max(bare)
            print(f"\n{name}: extract time grows ×{bare[hi]['median'] / bare[lo]['median']:.1f} "
                  f"from scale {lo:g} to {hi:g}")  # fmt: skip


if __name__ == "__main__":
    main()
