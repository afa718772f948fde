"""Benchmark: how long does reading one screen's worth of values take?

Builds a snapshot store the size a real school produces (a season of weekly
history: 27 snapshots of ~7,200 values each, 12 departments, 60 majors,
15 approval processes), then times Store.values() for one screen: every
value of 20 metrics at school + department grain (a few thousand rows).

    .venv/bin/python scripts/bench_store.py                    # SQLite file in a temp dir
    .venv/bin/python scripts/bench_store.py --url postgresql+psycopg://postgres@127.0.0.1:5432/bench

Target: <= 20 ms per screen read (median), docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cockpit.store import Store, metadata
from metrics.results import RefreshResult, Value

DEPARTMENTS = [f"D{i:02d}" for i in range(1, 13)]
MAJORS = [f"M{i:03d}" for i in range(1, 61)]
PROCESSES = [f"P{i:02d}" for i in range(1, 16)]
STEPS = ["部门负责人审核", "财务处审核", "分管校领导审批"]
COHORT_METRICS = [
    "placement_rate",
    "major_related_rate",
    "industry_fit_rate",
    "province_employment_rate",
    "city_employment_rate",
    "avg_monthly_salary",
    "internship_rate",
    "internship_match_rate",
    "internship_insured_rate",
    "internship_retention_rate",
    "internship_avg_score",
    "internship_log_rate",
    "internship_underpaid_count",
]
APPROVAL_METRICS = [
    "approval_volume",
    "approval_latency_p50",
    "approval_latency_p90",
    "approval_overdue_rate",
]
SCREEN = [
    *COHORT_METRICS,
    *APPROVAL_METRICS,
    "approval_backlog",
    "approval_oldest_pending_days",
    "structure_fit_index",
]


def snapshot_values(as_of: date, seed: int) -> list[Value]:
    out: list[Value] = []
    k = seed

    def v(metric: str, period: str, dims: dict[str, str]) -> None:
        nonlocal k
        k += 1
        den = 50 + k % 400
        num = den * ((k * 7919) % 1000) / 1000
        out.append(Value(metric, period, dims, num / den, num, float(den)))

    cohorts = [f"cohort:{y}" for y in range(as_of.year - 1, as_of.year + 3)]
    for m in COHORT_METRICS:
        for c in cohorts:
            v(m, c, {})
            for d in DEPARTMENTS:
                v(m, c, {"department": d})
            for mj in MAJORS:
                v(m, c, {"major": mj})
    months = [f"month:{(as_of.replace(day=1) - timedelta(days=31 * i)):%Y-%m}" for i in range(12)]
    iso = [(as_of - timedelta(weeks=i)).isocalendar() for i in range(13)]
    weeks = [f"week:{c.year}-W{c.week:02d}" for c in iso]
    for m in APPROVAL_METRICS:
        for p in months + weeks:
            v(m, p, {})
            for d in DEPARTMENTS:
                v(m, p, {"department": d})
            for pr in PROCESSES:
                v(m, p, {"process": pr})
    for m in ("approval_backlog", "approval_oldest_pending_days"):
        v(m, f"day:{as_of}", {})
        for d in DEPARTMENTS:
            v(m, f"day:{as_of}", {"department": d})
        for pr in PROCESSES:
            v(m, f"day:{as_of}", {"process": pr})
    for p in months:
        for pr in PROCESSES:
            for s in STEPS:
                v("step_latency_p50", p, {"process": pr, "step": s})
    v("structure_fit_index", f"day:{as_of}", {})
    for sec in "ABCDEFGHIJKLMNOPQRS":
        v("industry_deviation", f"day:{as_of}", {"industry": sec})
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="store URL (default: a SQLite file in a temp dir); its tables are dropped!")
    ap.add_argument("--snapshots", type=int, default=27)
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{tmp}/store.sqlite"
        store = Store(url)
        metadata.drop_all(store.engine)
        metadata.create_all(store.engine)
        today = date(2026, 6, 14)
        t0 = time.perf_counter()
        total = 0
        sid = None
        for i in reversed(range(args.snapshots)):
            as_of = today - timedelta(weeks=i)
            vals = snapshot_values(as_of, i * 100_003)
            total += len(vals)
            sid = store.begin(as_of, "backfill")
            store.complete(sid, RefreshResult(as_of=as_of, values=vals))
        write_s = time.perf_counter() - t0
        per = total // args.snapshots
        print(
            f"store: {store.engine.dialect.name}, {args.snapshots} snapshots, {total:,} values ({per:,} each)"
        )
        print(f"write: {write_s / args.snapshots * 1000:.0f} ms per snapshot (complete(), one transaction)")

        def timed(fn, n: int) -> tuple[list[float], int]:
            fn()  # warm up the connection pool
            times, rows = [], 0
            for _ in range(n):
                t = time.perf_counter()
                rows = len(fn())
                times.append((time.perf_counter() - t) * 1000)
            return times, rows

        cases = [
            ("current_id()", lambda: [store.current_id()]),
            (
                "screen: 20 metrics, school+department",
                lambda: store.values(sid, metric=SCREEN, grains=("school", "department")),
            ),
            ("20 metrics, every grain", lambda: store.values(sid, metric=SCREEN)),
            ("one metric, every grain", lambda: store.values(sid, metric="placement_rate")),
        ]
        worst = 0.0
        for name, fn in cases:
            times, rows = timed(fn, args.repeat)
            med = statistics.median(times)
            p95 = sorted(times)[int(0.95 * (len(times) - 1))]
            if name.startswith("screen"):
                worst = med
            print(f"read  {name:<40} {rows:>6,} rows  median {med:6.2f} ms  p95 {p95:6.2f} ms")
        store.dispose()
    ok = worst <= 20.0
    print(f"{'OK' if ok else 'TOO SLOW'}: screen read median {worst:.2f} ms (target <= 20 ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
