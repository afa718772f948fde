"""Load: walls polling and desk users clicking against gunicorn on 127.0.0.1 (issue 11).

The deployment of docs/deploy.md (scripts/topology.py): a PostgreSQL store with the demo
school, a private Redis (cache and rate-limit counters), gunicorn from the shipped
configuration with 1, 2 and 4 workers, ``refresh.in_app: false``, ``auth.mode: local``.

What the clients send is what Chromium sends: the cockpit is loaded once in headless
Chromium per scenario and its Dash callback requests (``POST /_dash-update-component``,
taken from the browser's network log) are replayed with each client's own session
cookie and CSRF header (the ``_csrf_token`` cookie, as Dash's renderer does).

* a wall (a device with its own wall session, ``walls add``): loads ``/?kiosk=1`` (the
  page, ``/_dash-layout``, ``/_dash-dependencies``, the callbacks the browser fired),
  then polls ``GET /api/snapshot`` every ``screen.poll_seconds`` as its clientside poll
  does; once in the run a new snapshot is announced and every wall, at its next poll,
  fires the callbacks that take the snapshot store as input (the redraw);
* a desk user (a leader, signed in through the form): in a loop with a think time,
  opens an indicator page (the page and its callbacks), changes the department filter
  (the pages router's callback with the new query, as a filter change sends it), or
  opens the approvals page.

Before the load, one client alone goes through every scenario ``--solo`` times: the
latency floor at that moment. Reported per worker count: errors, p50/p95/p99 per request
kind, throughput, and the CPU seconds the gunicorn processes spent per request (/proc, arbiter and workers).
Assets are not fetched (a browser keeps them: immutable, cached).

    python scripts/load.py [--workers 1 2 4] [--seconds 60] [--walls 50] [--desk 20] [--scale 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts import topology as T

CONFIG = """\
refresh:
  in_app: false
reports:
  in_app: false
auth:
  mode: local
  # 20 desk users sign in from one address in a few seconds.
  login_rate_limit: "1000 per minute"
cache:
  type: RedisCache
"""
PASSWORD = "load test password 2026"
CALLBACK = "/_dash-update-component"
ACCEPT_ENCODING = "gzip, deflate, br"  # what Chromium sends (zstd aside)
SNAPSHOT_STORE = "snapshot-id"  # pages/ids.py SNAPSHOT: the wall redraws when it changes
ROUTER = "_pages_location"


# -- recording: what the browser sends -------------------------------------------------------


def _chromium(profile: str) -> Any:
    sys.path.insert(0, str(T.ROOT / "tests" / "pages"))
    import conftest  # tests/pages/conftest.py: the same Chromium as the page tests
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = conftest.chromium_options(profile)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=conftest.CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(120)
    return driver


def _callbacks_sent(driver: Any, quiet: float = 2.5, timeout: float = 90) -> list[list[str]]:
    """The Dash callback requests the page sends until the network is quiet: [path?query, body]
    (the query carries Dash's signed per-page-load ``endId``)."""
    bodies: list[list[str]] = []
    pending: set[str] = set()
    seen: list[str] = []
    last = time.monotonic()
    deadline = last + timeout
    while time.monotonic() < deadline:
        for entry in driver.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            params = msg.get("params", {})
            if msg["method"] == "Network.requestWillBeSent":
                seen.append(params["request"]["url"])
            url = params.get("request", {}).get("url", "")
            if msg["method"] == "Network.requestWillBeSent" and urlsplit(url).path == CALLBACK:
                parts = urlsplit(url)
                bodies.append(
                    [
                        f"{parts.path}?{parts.query}" if parts.query else parts.path,
                        params["request"].get("postData", ""),
                    ]
                )
                pending.add(params["requestId"])
                last = time.monotonic()
            elif params.get("requestId") in pending and msg["method"] in (
                "Network.loadingFinished",
                "Network.loadingFailed",
            ):
                pending.discard(params["requestId"])
                last = time.monotonic()
        if bodies and not pending and time.monotonic() - last > quiet:
            return bodies
        time.sleep(0.2)
    raise TimeoutError(f"the page kept sending callbacks for {timeout} s ({len(bodies)} sent; {seen[-8:]})")


def record(base: str, wall_token: str, desk_cookies: dict[str, str], department: str) -> dict[str, Any]:
    """Per scenario: the page path and the callback bodies Chromium sent loading it."""
    profile = tempfile.mkdtemp(prefix="load-chromium-")
    driver = _chromium(profile)
    out: dict[str, Any] = {}
    try:
        driver.get(f"{base}/?wall_token={wall_token}")  # enrols this browser as a wall
        out["wall"] = {"path": "/?kiosk=1", "bodies": _callbacks_sent(driver)}
        # A new snapshot id in the shell's store, as the poll writes it: the wall's redraw.
        driver.execute_script(f"window.dash_clientside.set_props('{SNAPSHOT_STORE}', {{data: -1}})")
        redraw = [b for b in _callbacks_sent(driver, quiet=1.0) if _takes_input(b[1], SNAPSHOT_STORE)]
        out["wall"]["redraw"] = redraw[:1]
        driver.delete_all_cookies()
        for name, value in desk_cookies.items():
            driver.add_cookie({"name": name, "value": value, "path": "/"})
        scenarios = {
            "indicator": "/indicator/placement_rate",
            "filter": f"/indicator/placement_rate?department={department}",
            "approvals": "/approvals",
        }
        for name, path in scenarios.items():
            driver.get("about:blank")
            driver.get_log("performance")
            driver.get(base + path)
            out[name] = {"path": path, "bodies": _callbacks_sent(driver)}
        errors = [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        if errors:
            print(f"  browser console errors while recording: {errors[:3]}")
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    # A filter change sends the router's callback alone (the URL's query changed).
    out["filter"]["bodies"] = [b for b in out["filter"]["bodies"] if f'"{ROUTER}"' in b[1]][:1]
    return out


def _takes_input(body: str, component: str) -> bool:
    data = json.loads(body)
    items = []
    for it in data.get("inputs", []):
        items += it if isinstance(it, list) else [it]
    return any(isinstance(i, dict) and i.get("id") == component for i in items)


# -- the clients -----------------------------------------------------------------------------


@dataclass
class Stats:
    ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)
    stop_at: float = 0.0
    snapshot_announced: asyncio.Event = field(default_factory=asyncio.Event)

    def count(self) -> int:
        return sum(len(v) for v in self.ms.values()) + sum(self.errors.values())


async def _request(http: Any, stats: Stats, kind: str, method: str, url: str, **kw: Any) -> None:
    t0 = time.perf_counter()
    try:
        async with http.request(method, url, allow_redirects=False, **kw) as r:
            await r.read()
            ok = r.status in (200, 204)
            status = r.status
    except Exception as e:  # a refused or reset connection, a timeout
        ok, status = False, f"{type(e).__name__}: {e}"[:120]
    if ok:
        stats.ms[kind].append((time.perf_counter() - t0) * 1000)
    else:
        stats.errors[kind] += 1
        if len(stats.samples) < 10:
            stats.samples.append(f"{kind} {method} {url.split('/', 3)[-1][:60]} -> {status}")


def _headers(cookies: dict[str, str], **extra: str) -> dict[str, str]:
    h = {"Accept-Encoding": ACCEPT_ENCODING, "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    h.update(extra)
    return h


async def _load_page(
    http: Any, stats: Stats, base: str, cookies: dict, rec: dict, prefix: str, page_gets: bool = True
) -> None:
    """What the browser sends for one page: the HTML, the layout and the dependencies, then
    the callbacks in the recorded order."""
    h = _headers(cookies)
    if page_gets:
        for path in (rec["path"], "/_dash-layout", "/_dash-dependencies"):
            await _request(http, stats, f"{prefix} page GET", "GET", base + path, headers=h)
    hc = _headers(cookies, **{"X-CSRFToken": cookies["_csrf_token"], "Content-Type": "application/json"})
    for path, body in rec["bodies"]:
        await _request(http, stats, f"{prefix} callback", "POST", base + path, data=body, headers=hc)


async def wall(base: str, cookies: dict, rec: dict, stats: Stats, poll: float, delay: float) -> None:
    import aiohttp

    async with aiohttp.ClientSession(auto_decompress=True) as http:
        await asyncio.sleep(delay)
        await _load_page(http, stats, base, cookies, rec, "wall load")
        redrawn = False
        h = _headers(cookies)
        while time.monotonic() < stats.stop_at:
            await asyncio.sleep(poll)
            if time.monotonic() >= stats.stop_at:
                break
            await _request(http, stats, "wall poll", "GET", base + "/api/snapshot?lang=zh", headers=h)
            if stats.snapshot_announced.is_set() and not redrawn:
                redrawn = True
                redraw = {"path": rec["path"], "bodies": rec["redraw"]}
                await _load_page(http, stats, base, cookies, redraw, "wall redraw", page_gets=False)


async def desk(base: str, cookies: dict, recs: dict, stats: Stats, think: tuple[float, float]) -> None:
    import aiohttp

    rng = random.Random(hash(cookies["cockpit_session"]))
    async with aiohttp.ClientSession(auto_decompress=True) as http:
        await asyncio.sleep(rng.uniform(0, think[1]))
        while time.monotonic() < stats.stop_at:
            pick = rng.random()
            if pick < 0.4:
                await _load_page(http, stats, base, cookies, recs["indicator"], "desk indicator")
            elif pick < 0.8:
                await _load_page(http, stats, base, cookies, recs["filter"], "desk filter", page_gets=False)
            else:
                await _load_page(http, stats, base, cookies, recs["approvals"], "desk approvals")
            await asyncio.sleep(rng.uniform(*think))


async def run_load(base: str, walls: list[dict], desks: list[dict], recs: dict, args: Any) -> Stats:
    stats = Stats()
    stats.stop_at = time.monotonic() + args.seconds
    tasks = [
        asyncio.create_task(
            wall(base, c, recs["wall"], stats, args.poll_seconds, random.uniform(0, args.poll_seconds))
        )
        for c in walls
    ]
    tasks += [asyncio.create_task(desk(base, c, recs, stats, tuple(args.think))) for c in desks]
    await asyncio.sleep(args.seconds / 2)
    stats.snapshot_announced.set()  # a new snapshot: every wall redraws at its next poll
    await asyncio.gather(*tasks)
    return stats


async def run_solo(base: str, wall_cookies: dict, desk_cookies: dict, recs: dict, rounds: int) -> Stats:
    """One client alone, each scenario ``rounds`` times in turn: the latency floor at this
    moment (the machine's other load included, no concurrency of the cockpit's own)."""
    import aiohttp

    stats = Stats()
    async with aiohttp.ClientSession() as http:
        for _ in range(rounds):
            await _load_page(http, stats, base, wall_cookies, recs["wall"], "solo wall load")
            redraw = {"path": recs["wall"]["path"], "bodies": recs["wall"]["redraw"]}
            await _load_page(http, stats, base, wall_cookies, redraw, "solo wall redraw", page_gets=False)
            await _load_page(http, stats, base, desk_cookies, recs["indicator"], "solo desk indicator")
            await _load_page(http, stats, base, desk_cookies, recs["filter"], "solo desk filter", False)
            await _load_page(http, stats, base, desk_cookies, recs["approvals"], "solo desk approvals")
    return stats


# -- measuring ---------------------------------------------------------------------------------


def gunicorn_cpu(topo: T.Topology) -> float:
    """CPU seconds of the arbiter, its live workers and its reaped ones (cutime/cstime)."""
    tick = os.sysconf("SC_CLK_TCK")

    def fields(pid: int) -> list[str]:
        text = Path(f"/proc/{pid}/stat").read_text()
        return text[text.rindex(")") + 2 :].split()

    arb = fields(topo.procs["web"].pid)
    total = sum(int(arb[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    for pid in topo.web_worker_pids():
        try:
            w = fields(pid)
            total += int(w[11]) + int(w[12])
        except FileNotFoundError:
            pass
    return total / tick


def machine_busy() -> tuple[float, float]:
    vals = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = vals[3] + vals[4]
    return sum(vals) - idle, sum(vals)


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))] if xs else float("nan")


def summarise(workers: int, stats: Stats, seconds: float, cpu: float, busy: float, load: tuple) -> dict:
    kinds = {
        k: {"n": len(v), "p50": pct(v, 0.5), "p95": pct(v, 0.95), "p99": pct(v, 0.99)}
        for k, v in sorted(stats.ms.items())
    }
    callbacks = [x for k, v in stats.ms.items() if k.endswith("callback") for x in v]
    n = stats.count()
    return {
        "workers": workers,
        "requests": n,
        "errors": sum(stats.errors.values()),
        "error_samples": stats.samples,
        "throughput_rps": n / seconds,
        "callbacks": {
            "n": len(callbacks),
            "p50": pct(callbacks, 0.5),
            "p95": pct(callbacks, 0.95),
            "p99": pct(callbacks, 0.99),
        },
        "cpu_ms_per_request": 1000 * cpu / n if n else None,
        "gunicorn_cpu_s": cpu,
        "machine_busy": busy,
        "loadavg": load,
        "kinds": kinds,
    }


def print_summary(s: dict) -> None:
    cb = s["callbacks"]
    print(
        f"  {s['workers']} worker(s): {s['requests']} requests, {s['errors']} errors, "
        f"{s['throughput_rps']:.1f} req/s, callbacks p50 {cb['p50']:.0f} / p95 {cb['p95']:.0f} / "
        f"p99 {cb['p99']:.0f} ms, gunicorn CPU {s['cpu_ms_per_request']:.1f} ms per request "
        f"({s['gunicorn_cpu_s']:.1f} s), machine busy {100 * s['machine_busy']:.0f} %, "
        f"load {s['loadavg'][0]} → {s['loadavg'][1]}"
    )
    for k, v in s["kinds"].items():
        print(
            f"      {k:26s} n={v['n']:5d}  p50 {v['p50']:7.1f}  p95 {v['p95']:7.1f}  p99 {v['p99']:7.1f} ms"
        )
    for line in s["error_samples"]:
        print(f"      error: {line}")


# -- set-up --------------------------------------------------------------------------------------


def enrol(base: str, topo: T.Topology, n_walls: int, n_desk: int) -> tuple[list[dict], list[dict], str, str]:
    """Wall devices and desk users in the store; their session cookies (walls enrolled with
    their one-time token, users signed in through the form). Also one more wall's token and
    a department code for the recording browser."""
    import requests
    from sqlalchemy import create_engine

    from cockpit.auth.accounts import Accounts

    engine = create_engine(topo.env["COCKPIT_STORE_URL"])
    try:
        acc = Accounts(engine)
        tokens = [acc.add_wall(f"wall{i:02d}", ["/"], None) for i in range(n_walls + 1)]
        for i in range(n_desk):
            acc.add_user(f"leader{i:02d}", ["leader"], password=PASSWORD)
    finally:
        engine.dispose()
    walls = []
    for tok in tokens[1:]:
        r = requests.get(f"{base}/?wall_token={tok}", allow_redirects=False, timeout=60)
        if r.status_code != 302:
            raise RuntimeError(f"wall enrolment: {r.status_code}")
        walls.append(r.cookies.get_dict())
    desks = [T.sign_in(base, f"leader{i:02d}", PASSWORD).cookies.get_dict() for i in range(n_desk)]
    dept = _a_department(topo)
    return walls, desks, tokens[0], dept


def _a_department(topo: T.Topology) -> str:
    """A department code of the current snapshot (the filter change's value)."""
    for line in topo.cli("values", "--metric", "placement_rate").splitlines():
        dims = json.loads(line).get("dims") or {}
        if "department" in dims and len(dims) == 1:
            return dims["department"]
    raise RuntimeError("no department in the snapshot")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--walls", type=int, default=50)
    ap.add_argument("--desk", type=int, default=20)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--weeks", type=int, default=8, help="week ends of history in the store")
    ap.add_argument("--poll-seconds", type=float, default=None, help="default: config screen.poll_seconds")
    ap.add_argument("--think", type=float, nargs=2, default=[1.0, 4.0], help="desk think time, seconds")
    ap.add_argument("--solo", type=int, default=5, help="rounds of one client alone before the load")
    ap.add_argument("--json", type=Path, help="write the results here")
    args = ap.parse_args()
    if args.poll_seconds is None:
        from cockpit.config import load_settings

        args.poll_seconds = float(load_settings(env={}).screen.poll_seconds)
    print(f"machine: {os.cpu_count()} cores, load {Path('/proc/loadavg').read_text().split()[:3]}")
    work = Path(tempfile.mkdtemp(prefix="cockpit-load-"))
    results = []
    with T.postgres_database("cockpit_load") as store_url:
        topo = T.Topology.create(work, store_url, CONFIG)
        try:
            redis_url = topo.start_redis()
            t0 = time.monotonic()
            sid = T.fill_store(topo.cockpit_env(), args.scale, args.weeks)
            print(f"store: demo scale {args.scale:g}, {args.weeks} week ends, snapshot {sid} "
                  f"({time.monotonic() - t0:.0f} s)")  # fmt: skip
            walls = desks = recs = None
            for n in args.workers:
                import redis

                redis.Redis.from_url(redis_url).flushall()  # this run's cache starts empty
                base = topo.start_web(n)
                if recs is None:
                    walls, desks, token, dept = enrol(base, topo, args.walls, args.desk)
                    recs = record(base, token, desks[0], dept)
                    counts = {k: len(v["bodies"]) for k, v in recs.items()}
                    counts["wall redraw"] = len(recs["wall"]["redraw"])
                    print(f"recorded callbacks per scenario: {counts}")
                if args.solo:
                    solo = asyncio.run(run_solo(base, walls[0], desks[0], recs, args.solo))
                    cb = [x for k, v in solo.ms.items() if k.endswith("callback") for x in v]
                    print(
                        f"  {n} worker(s), one client alone ({args.solo} rounds): callbacks p50 "
                        f"{pct(cb, 0.5):.0f} / p95 {pct(cb, 0.95):.0f} ms, "
                        f"{sum(solo.errors.values())} errors, "
                        f"load {Path('/proc/loadavg').read_text().split()[0]}"
                    )
                cpu0, (b0, t0_) = gunicorn_cpu(topo), machine_busy()
                load0 = Path("/proc/loadavg").read_text().split()[0]
                ru0 = resource.getrusage(resource.RUSAGE_SELF)
                started = time.monotonic()
                stats = asyncio.run(run_load(base, walls, desks, recs, args))
                took = time.monotonic() - started
                ru1 = resource.getrusage(resource.RUSAGE_SELF)
                cpu1, (b1, t1_) = gunicorn_cpu(topo), machine_busy()
                load1 = Path("/proc/loadavg").read_text().split()[0]
                s = summarise(n, stats, took, cpu1 - cpu0, (b1 - b0) / max(1, t1_ - t0_), (load0, load1))
                s["client_cpu_s"] = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
                s["seconds"] = took
                if args.solo:
                    s["solo_callbacks"] = {"p50": pct(cb, 0.5), "p95": pct(cb, 0.95), "n": len(cb)}
                print_summary(s)
                results.append(s)
                topo.stop("web")
        finally:
            topo.stop_all()
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(
            json.dumps({"args": vars(args) | {"json": str(args.json)}, "runs": results}, indent=1)
        )
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
