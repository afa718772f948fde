"""Benchmark: the first start (issue 11, docs/benchmarks.md "First start").

`make run` on an empty data folder — the demo source, the snapshot store, the cache
and the report archive in a new temporary folder (a COCKPIT_CONFIG naming it), the
virtual environment already there — timed until:

- first screen: /healthz names a current snapshot and "/" answers 200 (what a
  wall opening the school screen needs);
- history: the status page's background tasks (table background_task) say the
  backfill is done;
- reports: ... and last week's reports are made (or failed, reported as such).

Then `make run` is stopped (its process group). Usage:

    .venv/bin/python scripts/bench_first_start.py [--timeout 1200] [--first-screen-only]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read()
    except Exception:
        return 0, b""


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--timeout", type=float, default=1200)
    p.add_argument("--first-screen-only", action="store_true", help="stop once the first screen is served")
    a = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cockpit-first-start-"))
    cfg = work / "first.yaml"
    cfg.write_text(
        f"demo:\n  path: {json.dumps(str(work / 'demo.sqlite'))}\n"
        f"store_url: {json.dumps('sqlite:///' + str(work / 'store.sqlite'))}\n"
        f"cache:\n  dir: {json.dumps(str(work / 'cache'))}\n"
        f"reports:\n  archive: {json.dumps(str(work / 'reports'))}\n"
    )
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKPIT_")}
    env.update(COCKPIT_CONFIG=str(cfg), PORT=str(port))
    base = f"http://127.0.0.1:{port}"
    log = open(work / "make-run.log", "w")  # noqa: SIM115
    t0 = time.monotonic()
    proc = subprocess.Popen(
        ["make", "-s", "run"], cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
    )
    marks: dict[str, float] = {}
    try:
        from cockpit.store import Store

        store = None
        while time.monotonic() - t0 < a.timeout and proc.poll() is None:
            if "first_screen_s" not in marks:
                code, body = _get(base + "/healthz")
                if code == 200 and json.loads(body).get("snapshot_id") and _get(base + "/")[0] == 200:
                    marks["first_screen_s"] = round(time.monotonic() - t0, 1)
                    print(f"first screen after {marks['first_screen_s']} s", flush=True)
                    marks["loadavg_at_first_screen"] = Path("/proc/loadavg").read_text().strip()
                    if a.first_screen_only:
                        break
            else:
                store = store or Store(f"sqlite:///{work / 'store.sqlite'}", create=False)
                tasks = store.tasks()
                for name in ("backfill", "reports"):
                    task = tasks.get(name)
                    if task and task["state"] in ("done", "failed") and f"{name}_s" not in marks:
                        marks[f"{name}_s"] = round(time.monotonic() - t0, 1)
                        marks[f"{name}_state"] = (
                            f"{task['state']} {task['done']}/{task['total']} {task['detail']}"
                        )
                        print(f"{name}: {marks[f'{name}_state']} after {marks[f'{name}_s']} s", flush=True)
                if "reports_s" in marks or (tasks.get("backfill", {}).get("state") == "failed"):
                    break
            time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    marks["loadavg"] = Path("/proc/loadavg").read_text().strip()
    print(json.dumps(marks))


if __name__ == "__main__":
    main()
