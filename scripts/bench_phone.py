"""Benchmark: what the phone home /m (今日校情) transfers (docs/benchmarks.md, "Phone home").

For each demo scale, the same demo source and snapshot store as
scripts/bench_screens.py (data/bench/, made once), the app in a child process
(bench_screens' server), and Debian's chromium, headless, with a phone viewport
(390×844). Bytes are counted from Chrome's own network log (the performance log:
DevTools ``Network.loadingFinished`` events, ``encodedDataLength`` = bytes on the
wire, headers included), per request, for:

- first visit: /m with the browser cache empty (every JS bundle and stylesheet);
- second visit: /m again after the first visit warmed the browser cache (what a
  leader's phone fetches when it opens the link again: the page, Dash's layout
  and callback answers, conditional requests for assets);
- the same second visit repeated ``--loads`` times (median, max).

Target: the second visit ≤ 150 KB. Usage:

    .venv/bin/python scripts/bench_phone.py [--scales 1 10] [--loads 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_screens  # noqa: E402  the demo stores, the app's child process, machine()

TARGET_BYTES = 150 * 1024
PHONE = (390, 844)
PATH = "/m"


def start_browser(profile_dir: str):
    """The page tests' chromium, with the DevTools network events in the performance log."""
    sys.path.insert(0, str(ROOT / "tests" / "pages"))
    import conftest  # tests/pages/conftest.py
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = conftest.chromium_options(profile_dir, PHONE)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=conftest.CHROMEDRIVER), options=opts)
    conftest.set_viewport(driver, *PHONE)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    return driver


def _drawn(driver, ready_js: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    prev = False
    while time.monotonic() < deadline:
        now = bool(driver.execute_script(ready_js)) and bool(
            driver.execute_script("return document.querySelectorAll('#phone-cards .phone-card').length")
        )
        if now and prev:
            return
        prev = now
        time.sleep(0.05)
    raise RuntimeError(f"{PATH} not drawn within {timeout:.0f} s")


def network(driver) -> list[dict[str, Any]]:
    """Every request of the performance log since the last call: url, status, bytes, cache."""
    reqs: dict[str, dict[str, Any]] = {}
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        method, params = msg.get("method"), msg.get("params", {})
        rid = params.get("requestId")
        if method == "Network.requestWillBeSent":
            reqs.setdefault(rid, {"url": params["request"]["url"], "bytes": 0, "status": None, "cache": ""})
        elif method == "Network.responseReceived" and rid in reqs:
            resp = params["response"]
            reqs[rid]["status"] = resp.get("status")
            if resp.get("fromDiskCache") or resp.get("fromPrefetchCache"):
                reqs[rid]["cache"] = "disk"
        elif method == "Network.requestServedFromCache" and rid in reqs:
            reqs[rid]["cache"] = "memory"
        elif method == "Network.loadingFinished" and rid in reqs:
            reqs[rid]["bytes"] = params.get("encodedDataLength") or 0
    return [r for r in reqs.values() if r["url"].startswith("http")]


def visit(driver, base: str, ready_js: str) -> list[dict[str, Any]]:
    driver.get("about:blank")
    network(driver)  # forget what came before
    driver.get(base + PATH)
    _drawn(driver, ready_js)
    time.sleep(0.3)  # let the last events reach the log
    return network(driver)


def summary(reqs: list[dict[str, Any]]) -> dict[str, Any]:
    on_wire = [r for r in reqs if not r["cache"]]
    return {
        "requests": len(reqs),
        "from_cache": len(reqs) - len(on_wire),
        "bytes": sum(r["bytes"] for r in on_wire),
        "largest": sorted(
            ((r["url"].split("?")[0].rsplit("/", 1)[-1] or "/", r["status"], r["bytes"]) for r in on_wire),
            key=lambda x: -x[2],
        )[:6],
    }


def bench_scale(scale: float, loads: int, ready_js: str) -> dict[str, Any]:
    source_url, store_url = bench_screens.prepare(scale)
    child = bench_screens.Child(source_url, store_url, profile=False)
    profile_dir = tempfile.mkdtemp(prefix="bench-phone-")
    driver = None
    try:
        driver = start_browser(profile_dir)
        driver.execute_cdp_cmd("Network.clearBrowserCache", {})
        first = summary(visit(driver, child.url, ready_js))
        second = summary(visit(driver, child.url, ready_js))
        again = [summary(visit(driver, child.url, ready_js))["bytes"] for _ in range(loads)]
        errors = [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        return {"scale": scale, "first": first, "second": second, "again": again, "errors": errors}
    finally:
        if driver is not None:
            driver.quit()
        child.stop()
        shutil.rmtree(profile_dir, ignore_errors=True)


def _kb(n: float) -> str:
    return f"{n / 1024:,.1f} KB"


def report(results: list[dict[str, Any]], loads: int) -> str:
    lines = [
        "| scale | visit of `/m` at 390×844 | requests (from cache) | transferred | target |",
        "|---:|---|---:|---:|---|",
    ]
    for r in results:
        s = f"{r['scale']:g}"
        f, sec = r["first"], r["second"]
        lines.append(f"| {s} | first visit, browser cache empty | {f['requests']} | {_kb(f['bytes'])} | |")
        ok = "✓" if sec["bytes"] <= TARGET_BYTES else "✗"
        lines.append(
            f"| {s} | **second visit** (cache warmed by the first) | "
            f"{sec['requests']} ({sec['from_cache']}) | **{_kb(sec['bytes'])}** | ≤ 150 KB {ok} |"
        )
        worst = max(r["again"])
        ok = "✓" if worst <= TARGET_BYTES else "✗"
        lines.append(
            f"| {s} | {loads} more visits: median / max | | {_kb(statistics.median(r['again']))} / "
            f"{_kb(worst)} | ≤ 150 KB {ok} |"
        )
    for r in results:
        lines.append("")
        big = ", ".join(f"`{n}` {st} {_kb(b)}" for n, st, b in r["second"]["largest"])
        lines.append(f"Scale {r['scale']:g}, second visit, largest transfers: {big}.")
        big = ", ".join(f"`{n}` {_kb(b)}" for n, _st, b in r["first"]["largest"])
        lines.append(f"Scale {r['scale']:g}, first visit, largest transfers: {big}.")
        if r["errors"]:
            lines.append(f"Scale {r['scale']:g}: console errors: " + "; ".join(sorted(set(r["errors"]))))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 10])
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args()
    from cockpit.readiness import ready_js

    js = ready_js(require_figures=False)
    results = []
    for scale in args.scales:
        t0 = time.monotonic()
        results.append(bench_scale(scale, args.loads, js))
        print(f"bench: scale {scale:g} done in {time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)
    print(report(results, args.loads))
    print()
    print(f"Machine: {bench_screens.machine()}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
