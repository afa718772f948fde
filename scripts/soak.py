"""Soak: the school screen in headless Chromium for an hour, a new snapshot every minute
(issue 11, docs/benchmarks.md "Soak").

Set-up (in a temporary folder, nothing of data/ is touched): the demo source at
scale 1 (as `make run`), a snapshot store with one refresh, then the web app as
`python -m cockpit serve` in a child process on a free loopback port (in-app
schedule off: the soak makes the snapshots). Debian's chromium, headless at
1920x1080, opens "/" once and is never reloaded by the soak.

Every minute: one refresh (`python -m cockpit refresh`, a child process, so the
soak itself does not grow), then wait until the screen shows it: the wall's own
poll (screen.poll_seconds) picks up the new snapshot id and redraws; the redraw
counts as complete when the as-of line names the new snapshot's update time, every
tile has a value, every figure is drawn (cockpit/readiness.py), no error text is on
the screen and the console has no SEVERE entry. Then, after a forced garbage
collection (CDP HeapProfiler.collectGarbage), the browser's JS heap
(CDP Performance.getMetrics JSHeapUsedSize) and the server's RSS (/proc/PID/status
VmRSS). One JSON line per minute goes to --out; the summary (growth after warm-up:
median of the last 5 samples over the median of the 5 after warm-up) at the end,
or from an existing file with --summarize.

Usage:

    .venv/bin/python scripts/soak.py [--minutes 60] [--warmup 10] [--out data/soak/soak.jsonl]
    .venv/bin/python scripts/soak.py --summarize data/soak/soak.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DRAWN_JS = """
var asof = document.querySelector('.wall-asof');
var tiles = document.querySelectorAll('.wall-tile .tile-value');
var empty = 0;
for (var i = 0; i < tiles.length; i++) { if (!tiles[i].textContent.trim()) { empty++; } }
var body = document.body ? document.body.innerText : '';
return {asof: asof ? asof.textContent : null, tiles: tiles.length, empty: empty,
        error: /Traceback|Internal Server Error|Error loading|Callback error/.test(body)};
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(work: Path, cache_timeout: int | None = None, cache_type: str | None = None) -> dict[str, str]:
    cfg = work / "soak.yaml"
    timeout = f"  timeout: {cache_timeout}\n" if cache_timeout else ""
    timeout += f"  type: {cache_type}\n" if cache_type else ""
    cfg.write_text(
        "refresh:\n  in_app: false\n"
        f"demo:\n  path: {json.dumps(str(work / 'demo.sqlite'))}\n"
        f"store_url: {json.dumps('sqlite:///' + str(work / 'store.sqlite'))}\n"
        f"cache:\n  dir: {json.dumps(str(work / 'cache'))}\n{timeout}"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKPIT_")}
    env.update(COCKPIT_CONFIG=str(cfg), PYTHONPATH=str(ROOT))
    return env


def _cli(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "cockpit", *args], env=env, cwd=ROOT, check=True)


def _get_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.loads(r.read())


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _wait(cond, timeout: float, step: float = 0.5):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = cond()
        if v:
            return v
        time.sleep(step)
    return None


def _heap_bytes(driver) -> int:
    driver.execute_cdp_cmd("HeapProfiler.collectGarbage", {})
    metrics = driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]
    return int(next(m["value"] for m in metrics if m["name"] == "JSHeapUsedSize"))


def soak(minutes: int, out: Path, cache_timeout: int | None = None, cache_type: str | None = None) -> None:
    from cockpit.readiness import ready_js
    from tests.pages.conftest import start_chromium

    work = Path(tempfile.mkdtemp(prefix="cockpit-soak-"))
    env = _env(work, cache_timeout, cache_type)
    _cli(env, "demo")
    _cli(env, "refresh")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "cockpit", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(work / "serve.log", "w"),  # noqa: SIM115
    )
    driver = None
    try:
        if not _wait(lambda: _try(lambda: _get_json(base + "/healthz")), 120):
            raise SystemExit("soak: the server did not come up")
        driver = start_chromium(str(work / "chromium"))
        driver.execute_cdp_cmd("Performance.enable", {})
        driver.get(base + "/")
        ready = ready_js(require_figures=True)
        if not _wait(lambda: driver.execute_script(ready), 120):
            raise SystemExit("soak: the school screen was not drawn")
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w") as f:
            before = None
            for minute in range(minutes + 1):
                t0 = time.monotonic()
                row = _one_minute(driver, env, base, server.pid, ready, before, minute)
                before = row.pop("asof")
                f.write(json.dumps(row) + "\n")
                f.flush()
                print(json.dumps(row), flush=True)
                time.sleep(max(0.0, 60 - (time.monotonic() - t0)))
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        server.wait(30)
    print(json.dumps(summarize(out)), flush=True)


def _try(fn):
    try:
        return fn()
    except Exception:
        return None


def _updated_hhmm(env: dict[str, str], sid: int) -> str:
    """The snapshot's update time as the as-of line shows it (HH:MM, school time zone)."""
    from cockpit.config import load_settings
    from cockpit.store import Store

    settings = load_settings(env=env)
    snap = Store(settings.store_url).get(sid)
    return snap.finished_at.astimezone(settings.refresh.tz).strftime("%H:%M")


def _one_minute(driver, env, base, pid, ready, before: str | None, minute: int) -> dict[str, Any]:
    """One refresh (not in minute 0), the redraw awaited and checked, the two memories."""
    t0 = time.monotonic()
    if minute:  # minute 0 measures the first drawing
        _cli(env, "refresh")
    snap = _get_json(base + "/healthz")
    updated = _updated_hhmm(env, snap["snapshot_id"])
    driver.get_log("browser")  # clears the console entries so far

    def redrawn():
        state = driver.execute_script(DRAWN_JS)
        ok = (
            state["asof"]
            and updated in state["asof"]
            and state["tiles"]
            and not state["empty"]
            and driver.execute_script(ready)
        )
        return state if ok else None

    state = _wait(redrawn, 50)
    severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    return {
        "minute": minute,
        "t": time.strftime("%H:%M:%S", time.gmtime()),
        "snapshot_id": snap.get("snapshot_id"),
        "redrawn": bool(state) and not state.get("error") and not severe,
        "redraw_s": round(time.monotonic() - t0, 1),
        "tiles": (state or {}).get("tiles"),
        "console_errors": len(severe),
        "js_heap_bytes": _heap_bytes(driver),
        "server_rss_kb": _rss_kb(pid),
        "asof": (state or {}).get("asof"),
        "loadavg": Path("/proc/loadavg").read_text().split()[0],
    }


def _seconds(hms: str) -> int:
    h, m, s = (int(x) for x in hms.split(":"))
    return h * 3600 + m * 60 + s


def summarize(path: Path, warmup: int = 10) -> dict[str, Any]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    after = [r for r in rows if r["minute"] >= warmup]
    out: dict[str, Any] = {
        "cycles": rows[-1]["minute"] if rows else 0,  # one new snapshot each
        "redraws": len(rows) - 1,
        "redraws_complete": sum(1 for r in rows[1:] if r["redrawn"]),
        "elapsed_min": round((_seconds(rows[-1]["t"]) - _seconds(rows[0]["t"])) / 60, 1) if rows else 0,
    }
    if len(after) >= 10:
        for key in ("js_heap_bytes", "server_rss_kb"):
            start = statistics.median(r[key] for r in after[:5])
            end = statistics.median(r[key] for r in after[-5:])
            out[key] = {
                "at_warmup": start,
                "at_end": end,
                "growth_pct": round((end / start - 1) * 100, 1),
                "max": max(r[key] for r in after),
                "first": rows[0][key],
            }
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=int, default=60)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--out", type=Path, default=ROOT / "data" / "soak" / "soak.jsonl")
    p.add_argument(
        "--cache-timeout",
        type=int,
        help="config cache.timeout in seconds (default: config's): how long a superseded snapshot's "
        "cache entries live",
    )
    p.add_argument("--cache-type", help="config cache.type (NullCache: to tell a leak from the cache)")
    p.add_argument("--summarize", type=Path, help="only summarize this JSON-lines file")
    a = p.parse_args()
    if a.summarize:
        print(json.dumps(summarize(a.summarize, a.warmup), indent=2))
        return
    soak(a.minutes, a.out, a.cache_timeout, a.cache_type)


if __name__ == "__main__":
    main()
