"""Benchmark: export of a view (docs/benchmarks.md, "Export of a view").

The demo school of scripts/bench_reports.py (data/bench/reports-scaleN, made
once) served by the app on a free loopback port (threaded werkzeug, as in a dev
run); then GET /export/view.<fmt>?path=<view> through HTTP like the button:
the first export of the process (cold: Chromium starts) and --runs warm ones
per format and view, each timed end to end (request to last byte).

Usage:

    .venv/bin/python scripts/bench_export.py [--scale 1] [--runs 5]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VIEWS = ("/", "/indicator/placement_rate?lang=en", "/alerts")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    from scripts.bench_reports import _settings, prepare

    d = prepare(args.scale)
    settings = _settings(d)
    from werkzeug.serving import make_server

    from cockpit.app import create_app

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = create_app(settings, schedule=False)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"

    def export(fmt: str, view: str) -> tuple[float, int]:
        t0 = time.monotonic()
        with urllib.request.urlopen(f"{base}/export/view.{fmt}?path={quote(view)}", timeout=300) as r:
            n = len(r.read())
        return time.monotonic() - t0, n

    cold, _ = export("png", "/")
    print(f"cold (Chromium starts): png / {cold:.2f} s")
    worst = 0.0
    for view in VIEWS:
        for fmt in ("png", "pdf"):
            times = [export(fmt, view)[0] for _ in range(args.runs)]
            worst = max(worst, statistics.median(times))
            print(
                f"warm {fmt} {view}: median {statistics.median(times):.2f} s, "
                f"min {min(times):.2f} s, max {max(times):.2f} s"
            )
    print(f"worst warm median {worst:.2f} s (target <= 3 s)")
    server.shutdown()
    app.server.extensions["cockpit_export_browser"].close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
