"""Benchmark: the Monday report batch (docs/benchmarks.md, "Reports").

The demo school at --scale (default 1; data/bench/reports-scaleN/source.sqlite,
generated once, today 2026-11-21) and a snapshot store in the same folder
holding the snapshots of Sunday 2026-11-15 (ISO week 2026-W46), the Sunday
before (previous week) and 2025-11-16 (same week last season), computed once.
Then the whole batch of week 2026-W46 — the school and every department, PDF
and PNG (screen + card) — is timed --runs times (each run a fresh process state:
its own two Chromiums and screen server subprocess), into a scratch archive.

Usage:

    .venv/bin/python scripts/bench_reports.py [--scale 1] [--runs 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TODAY = date(2026, 11, 21)
DATES = (date(2025, 11, 16), date(2026, 11, 8), date(2026, 11, 15))
WEEK = "2026-W46"


def prepare(scale: int) -> Path:
    from cockpit.demo import generate
    from cockpit.refresh import run_refresh
    from cockpit.store import Store

    d = ROOT / "data" / "bench" / f"reports-scale{scale}"
    d.mkdir(parents=True, exist_ok=True)
    src = d / "source.sqlite"
    settings = _settings(d)
    if not src.exists():
        print(f"generating the demo school at scale {scale} ...", file=sys.stderr)
        generate(f"sqlite:///{src}", scale=scale, seed=2026, today=TODAY)
    store = Store(settings.store_url)
    have = store.successful_as_of_dates()
    for day in DATES:
        if day not in have:
            print(f"refresh as of {day} ...", file=sys.stderr)
            run_refresh(settings, day, trigger="backfill", store=store)
    store.dispose()
    return d


def _settings(d: Path):
    from cockpit.config import load_settings

    s = load_settings(
        env={
            "COCKPIT_SOURCE_URL": f"sqlite:///{d / 'source.sqlite'}",
            "COCKPIT_STORE_URL": f"sqlite:///{d / 'store.sqlite'}",
        }
    )
    return dataclasses.replace(s, reports=dataclasses.replace(s.reports, archive=d / "archive"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    d = prepare(args.scale)
    settings = _settings(d)
    from cockpit.reports import job

    times = []
    for i in range(args.runs):
        shutil.rmtree(d / "archive", ignore_errors=True)
        lines: list[str] = []
        t0 = time.monotonic()
        files = job.generate(settings, week=WEEK, progress=lines.append)
        dt = time.monotonic() - t0
        times.append(dt)
        pdfs = sum(1 for f in files if f["format"] == "pdf")
        pngs = len(files) - pdfs
        size = sum(f["size"] for f in files) / 1e6
        print(f"run {i + 1}: {len(files)} files ({pdfs} PDF, {pngs} PNG, {size:.1f} MB) in {dt:.1f} s")
        print(f"        {lines[0]}")
        print(f"        {lines[-1]}")
    print(
        f"scale {args.scale}: batch median {statistics.median(times):.1f} s, "
        f"min {min(times):.1f} s, max {max(times):.1f} s (target <= 20 s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
