"""Desk pages and filter changes in headless Chromium (issue: the leader's journey).

Reuses scripts/bench_screens.py: the same demo stores (data/bench, scales 1 and 10,
built once), the app in a child process with callback timing, Debian's Chromium.

Measured, after one warm-up load of each page:
  - a desk page drawn (navigation start -> every figure and grid drawn, Dash idle):
    /indicator/placement_rate, the same in one department by major, /departments;
  - a filter change answered by the server: the pages-router callback's server time
    when the grain radio or the department filter changes the URL (p95).

    python scripts/bench_desk.py [--scales 1 10] [--loads 10]
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("bench_screens", HERE / "bench_screens.py")
bs = importlib.util.module_from_spec(_spec)
sys.modules["bench_screens"] = bs
_spec.loader.exec_module(bs)

TARGET_PAGE_MS = 1000
TARGET_FILTER_MS = 150


def _router_ms(child: Any) -> list[float]:
    return [t["ms"] for t in child.timings(reset=True) if str(t["output"]).startswith("page ")]


def bench_scale(scale: float, loads: int) -> dict[str, Any]:
    source_url, store_url = bs.prepare(scale)
    child = bs.Child(source_url, store_url, False)
    profile_dir = tempfile.mkdtemp(prefix="bench-desk-")
    driver = None
    try:
        info = bs._get_json(child.url + "/_bench/info")
        dept = info["departments"][0]
        driver = bs.start_browser(profile_dir)
        from cockpit.readiness import ready_js

        sc = bs.Screens(driver, child.url, ready_js(require_figures=False))
        pages = {
            "indicator": "/indicator/placement_rate",
            "indicator in a department, by major": f"/indicator/placement_rate?department={dept}&grain=major",
            "departments": "/departments",
        }
        res: dict[str, Any] = {"scale": scale, "pages": {}, "errors": []}
        for name, path in pages.items():
            sc.load(path)  # warm-up
            res["pages"][name] = [sc.load(path)["ms"] for _ in range(loads)]
            res["errors"] += sc.console_errors()
        # filter changes: the grain radio back and forth on the indicator page
        sc.load("/indicator/placement_rate")
        child.timings(reset=True)
        for i in range(loads * 2):
            grain = "major" if i % 2 == 0 else "department"
            driver.execute_script(
                "document.querySelector(arguments[0]).click()", f"#indicator-grain input[value='{grain}']"
            )
            want = f"grain={grain}"
            deadline = time.monotonic() + 30
            while want not in sc.path() and time.monotonic() < deadline:
                time.sleep(0.02)
            sc.wait_drawn()
        res["filter_ms"] = _router_ms(child)
        res["errors"] += sc.console_errors()
        return res
    finally:
        if driver is not None:
            driver.quit()
        shutil.rmtree(profile_dir, ignore_errors=True)
        child.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", type=float, nargs="+", default=[1, 10])
    ap.add_argument("--loads", type=int, default=10)
    args = ap.parse_args()
    print(f"machine: {bs.machine()}")
    for scale in args.scales:
        r = bench_scale(scale, args.loads)
        print(f"scale {scale:g}")
        for name, ms in r["pages"].items():
            ok = "ok" if statistics.median(ms) <= TARGET_PAGE_MS else "OVER"
            med, p95 = statistics.median(ms), bs.pct(ms, 0.95)
            print(f"  {name:38s} drawn median {med:6.0f} ms  p95 {p95:6.0f} ms  {ok}")
        f = r["filter_ms"]
        if f:
            ok = "ok" if bs.pct(f, 0.95) <= TARGET_FILTER_MS else "OVER"
            print(
                f"  filter change (router callback, server)  median {statistics.median(f):5.0f} ms  "
                f"p95 {bs.pct(f, 0.95):5.0f} ms  ({len(f)} changes)  {ok}"
            )
        if r["errors"]:
            print(f"  console errors: {r['errors'][:3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
