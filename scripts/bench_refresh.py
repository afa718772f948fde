"""Benchmark: one full refresh (every indicator + data quality) on the demo source.

Each measurement runs in a fresh subprocess so that its peak memory (ru_maxrss)
is its own. Usage:

    .venv/bin/python scripts/bench_refresh.py --scales 1 10 [--repeat 3]

Demo sources are generated once into data/bench/ (kept between runs).
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


def _one(url: str) -> None:
    """Child process: one refresh, print seconds and peak RSS as JSON."""
    from sqlalchemy import create_engine

    from metrics.engine import compute

    engine = create_engine(url)
    start = time.perf_counter()
    result = compute(engine, TODAY)
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {"seconds": elapsed, "peak_mb": peak_mb, "values": len(result.values), "failed": result.failed}
        )
    )


def _source(scale: float) -> str:
    path = BENCH_DIR / f"demo-scale{scale:g}.sqlite"
    if not path.exists():
        # In a child process: Linux children inherit the parent's peak RSS
        # (ru_maxrss), so generating here would inflate every measurement.
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "cockpit", "demo", "--scale", f"{scale:g}", "--seed", "2026"]
        cmd += ["--today", TODAY.isoformat(), "--url", f"sqlite:///{path}"]
        subprocess.run(cmd, check=True, cwd=ROOT)
    return f"sqlite:///{path}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 10])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.child:
        _one(args.child)
        return
    rows = []
    for scale in args.scales:
        url = _source(scale)
        runs = []
        for _ in range(args.repeat):
            out = subprocess.run(
                [sys.executable, __file__, "--child", url],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        secs = [r["seconds"] for r in runs]
        rows.append(
            (scale, statistics.median(secs), min(secs), max(r["peak_mb"] for r in runs), runs[0]["values"])
        )
        if runs[0]["failed"]:
            print(f"scale {scale:g}: failed metrics {runs[0]['failed']}", file=sys.stderr)
    print("| scale | median s | best s | peak MB | values |")
    print("|---|---|---|---|---|")
    for scale, med, best, peak, n in rows:
        print(f"| {scale:g} | {med:.2f} | {best:.2f} | {peak:.0f} | {n} |")
    if len(rows) > 1:
        print(f"\ntime grows ×{rows[-1][1] / rows[0][1]:.1f} from scale {rows[0][0]:g} to {rows[-1][0]:g}")


if __name__ == "__main__":
    main()
