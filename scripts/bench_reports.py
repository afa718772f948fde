"""Benchmark: the Monday report batch (docs/benchmarks.md, "Reports").

The demo school at --scale (default 1; data/bench/reports-scaleN/source.sqlite,
generated once, today 2026-11-21) and a snapshot store in the same folder
holding the snapshots of Sunday 2026-11-15 (ISO week 2026-W46), the Sunday
before (previous week) and 2025-11-16 (same week last season), computed once.
Then the whole batch of week 2026-W46 — the school and every department, PDF
and PNG (screen + card) — is timed --runs times (each run a fresh process state:
its own two Chromiums and screen server subprocess), into a scratch archive. Each
run also reports the CPU time of the batch and every process it started (psutil,
requirements-dev.txt).

Usage:

    .venv/bin/python scripts/bench_reports.py [--scale 1] [--runs 3]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import shutil
import statistics
import sys
import threading
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


class CpuMeter:
    """CPU seconds of this process and every process it starts during the block (the
    browsers and their helpers, chromedriver, the screen server), sampled every 0.2 s
    with psutil (a process's last 0.2 s before it exits are missed). On two cores the
    batch cannot take less than half of it, whatever else the machine is doing."""

    def __init__(self) -> None:
        import psutil

        self._me = psutil.Process()
        self._seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.seconds = 0.0

    def _used(self, proc) -> float:
        t = proc.cpu_times()
        return t.user + t.system

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            for child in self._me.children(recursive=True):
                with contextlib.suppress(Exception):  # gone between listing and reading
                    self._seen[child.pid] = self._used(child)

    def __enter__(self) -> CpuMeter:
        self._start = self._used(self._me)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.seconds = self._used(self._me) - self._start + sum(self._seen.values())


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
        with CpuMeter() as cpu:
            files = job.generate(settings, week=WEEK, progress=lines.append)
        dt = time.monotonic() - t0
        times.append(dt)
        pdfs = sum(1 for f in files if f["format"] == "pdf")
        pngs = len(files) - pdfs
        size = sum(f["size"] for f in files) / 1e6
        print(
            f"run {i + 1}: {len(files)} files ({pdfs} PDF, {pngs} PNG, {size:.1f} MB) in {dt:.1f} s, "
            f"CPU {cpu.seconds:.1f} s"
        )
        print(f"        {lines[0]}")
        print(f"        {lines[-1]}")
    print(
        f"scale {args.scale}: batch median {statistics.median(times):.1f} s, "
        f"min {min(times):.1f} s, max {max(times):.1f} s (target <= 20 s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
