"""Benchmark: the screens in headless Chromium (docs/benchmarks.md, "Screens").

For each demo scale: the demo source (data/bench/demo-scaleN.sqlite, generated
once) and a snapshot store (data/bench/store-scaleN.sqlite: a refresh as of
2026-11-21, four week ends before it and the same day last season, computed
once), then the app (create_app, no schedule) in a child process on a free
loopback port, timing every Dash callback on the server, and Debian's
chromium, headless at 1920x1080, driving it:

- screen drawn: navigation start to every figure drawn and no callback
  pending (the readiness JS of tests/pages/conftest.py, polled inside the
  page every 10 ms); one warm-up load, then --loads loads; median and p95;
  for "/" and for one department screen;
- callbacks: server time of every POST /_dash-update-component (Flask
  before/after_request, keyed by the callback's output), over all the loads
  plus a click from the school screen to a department and a kiosk rotation;
  p95 per output;
- payload of one load of "/" after the warm-up: bytes transferred (resource
  timing transferSize), the JSON (index, layout, dependencies, callback
  responses) and the static assets, uncached (browser cache cleared) and
  cached.

Usage:

    .venv/bin/python scripts/bench_screens.py [--scales 1 10] [--loads 10] [--profile]

--profile runs cProfile around every callback and prints the heaviest
functions of the slowest callbacks.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "data" / "bench"
TODAY = date(2026, 11, 21)
LAST_SEASON = date(2025, 11, 22)
WEEK_ENDS = 4
CONFTEST = ROOT / "tests" / "pages" / "conftest.py"  # the page tests' Chromium set-up
TARGET_DRAWN_MS = 1500
TARGET_CALLBACK_MS = 100
TARGET_PAYLOAD_BYTES = 1_000_000


def _ready_js() -> str:
    """The readiness signal of cockpit/readiness.py: one definition for reports, tests and bench."""
    from cockpit.readiness import ready_js

    return ready_js(require_figures=True)


def as_of_dates() -> list[date]:
    last_sunday = TODAY - timedelta(days=(TODAY.weekday() + 1) % 7 or 7)
    ends = [last_sunday - timedelta(weeks=k) for k in reversed(range(WEEK_ENDS))]
    return [LAST_SEASON, *ends, TODAY]


# -- data --------------------------------------------------------------------------


def _env(source_url: str, store_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKPIT_")}
    env.update(COCKPIT_SOURCE_URL=source_url, COCKPIT_STORE_URL=store_url, PYTHONPATH=str(ROOT))
    return env


def prepare(scale: float) -> tuple[str, str]:
    """The demo source and the snapshot store for ``scale`` (made when missing)."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    source = BENCH_DIR / f"demo-scale{scale:g}.sqlite"
    store = BENCH_DIR / f"store-scale{scale:g}.sqlite"
    source_url, store_url = f"sqlite:///{source}", f"sqlite:///{store}"
    if not source.exists():
        cmd = [sys.executable, "-m", "cockpit", "demo", "--scale", f"{scale:g}", "--seed", "2026"]
        cmd += ["--today", TODAY.isoformat(), "--url", source_url]
        subprocess.run(cmd, check=True, cwd=ROOT, env=_env(source_url, store_url))
    sys.path.insert(0, str(ROOT))
    from cockpit.store import Store

    st = Store(store_url)
    have = st.successful_as_of_dates()
    st.dispose()
    for d in as_of_dates():  # the current one last, so it is the latest finished
        if d in have:
            continue
        print(f"bench: scale {scale:g}: refresh as of {d}", file=sys.stderr, flush=True)
        subprocess.run(
            [sys.executable, "-m", "cockpit", "refresh", "--as-of", d.isoformat()],
            check=True,
            cwd=ROOT,
            env=_env(source_url, store_url),
        )
    return source_url, store_url


# -- the app, in a child process -----------------------------------------------------


def serve(port: int, profile: bool) -> None:
    """Child: the app on 127.0.0.1:port with callback timing (/_bench/* endpoints)."""
    import cProfile
    import io
    import pstats
    import threading

    import dash
    from flask import g, jsonify, request
    from werkzeug.serving import make_server

    from cockpit.app import create_app

    app = create_app(schedule=False)
    server = app.server
    lock = threading.Lock()
    timings: list[dict[str, Any]] = []
    profiles: dict[str, pstats.Stats] = {}

    @server.before_request
    def _start():
        if request.path == "/_dash-update-component":
            g.bench_t0 = time.perf_counter()
            if profile:
                g.bench_prof = cProfile.Profile()
                g.bench_prof.enable()

    @server.after_request
    def _stop(response):
        t0 = g.pop("bench_t0", None)
        if t0 is None:
            return response
        prof = g.pop("bench_prof", None)
        if prof is not None:
            prof.disable()
        ms = (time.perf_counter() - t0) * 1000
        body = request.get_json(silent=True) or {}
        output = str(body.get("output", "?"))
        if "_pages_content" in output:  # the page router: one row per screen
            for i in body.get("inputs") or []:
                if (
                    isinstance(i, dict)
                    and i.get("id") == "_pages_location"
                    and i.get("property") == "pathname"
                ):
                    output = (
                        f"page {re.sub(r'/department/[^/?]+', '/department/<code>', str(i.get('value')))}"
                    )
        size = response.calculate_content_length() or 0
        with lock:
            timings.append({"output": output, "ms": ms, "bytes": size, "status": response.status_code})
            if prof is not None:
                if output in profiles:
                    profiles[output].add(prof)
                else:
                    profiles[output] = pstats.Stats(prof)
        return response

    @server.get("/_bench/timings")
    def _timings():
        with lock:
            out = list(timings)
            if request.args.get("reset"):
                timings.clear()
        return jsonify(out)

    @server.get("/_bench/profile")
    def _profile():
        output = request.args["output"]
        with lock:
            stats = profiles.get(output)
            if stats is None:
                return "no profile", 404
            buf = io.StringIO()
            stats.stream = buf
            top = int(request.args.get("top", 30))
            stats.sort_stats("cumulative").print_stats(top)
            buf.write("\nThe project's own functions:\n")
            stats.print_stats(r"/(pages|cockpit|metrics)/", top)
        return buf.getvalue(), 200, {"Content-Type": "text/plain; charset=utf-8"}

    @server.get("/_bench/info")
    def _info():
        from cockpit import service

        try:
            departments = [d["code"] for d in service.academic_departments(service.Scope.whole_school())]
        except Exception as e:  # the service may not have it yet
            departments = []
            print(f"bench: no department list from the service: {e}", file=sys.stderr)
        pages = []
        for p in dash.page_registry.values():
            pages.append(p.get("path_template") or p["path"])
        return jsonify(departments=departments, pages=pages)

    httpd = make_server("127.0.0.1", port, server, threaded=True)
    print("ready", flush=True)
    httpd.serve_forever()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=60) as r:
        return json.loads(r.read())


class Child:
    def __init__(self, source_url: str, store_url: str, profile: bool) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, __file__, "--serve", str(self.port)] + (["--profile"] if profile else [])
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=_env(source_url, store_url), stdout=subprocess.PIPE, stderr=self.log
        )
        line = self.proc.stdout.readline().decode().strip()
        if line != "ready":
            self.log.seek(0)
            raise SystemExit(f"the app did not start: {self.log.read().decode()[-3000:]}")
        _get_json(self.url + "/healthz")

    def timings(self, reset: bool = False) -> list[dict[str, Any]]:
        return _get_json(self.url + "/_bench/timings" + ("?reset=1" if reset else ""))

    def profile(self, output: str, top: int = 25) -> str:
        q = urllib.parse.urlencode({"output": output, "top": top})
        with urllib.request.urlopen(f"{self.url}/_bench/profile?{q}", timeout=60) as r:
            return r.read().decode()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


# -- the browser -------------------------------------------------------------------

# Resolves with performance.now() (ms since navigation start) of the first of two
# consecutive polls, 10 ms apart, on which the screen was drawn.
WAIT_DRAWN_JS = """
var done = arguments[arguments.length - 1];
var ready = new Function(arguments[0]);
var timeout = arguments[1];
var first = null;
function poll() {
  var r = false;
  try { r = ready(); } catch (e) { r = false; }
  var now = performance.now();
  if (r) {
    if (first !== null) { done({ms: first, figures: r.figures}); return; }
    first = now;
  } else {
    first = null;
  }
  if (now > timeout) { done({ms: null, figures: 0}); return; }
  setTimeout(poll, 10);
}
poll();
"""

# What the readiness check waits on, for the message when a screen never gets drawn.
STATE_JS = """
var st = window.store && window.store.getState();
var cbs = {};
if (st) { Object.keys(st.callbacks).forEach(function (k) {
  var v = st.callbacks[k]; cbs[k] = Array.isArray(v) ? v.length : v; }); }
var pc = document.getElementById('_pages_content');
return {store: !!window.store, readyState: document.readyState,
  dashLoading: !!document.querySelector('._dash-loading'),
  layoutStatus: st && st.layoutRequest && st.layoutRequest.status, isLoading: st && st.isLoading,
  callbacks: cbs, spinners: document.querySelectorAll('[data-dash-is-loading="true"]').length,
  pageChildren: pc ? pc.children.length : null,
  graphs: document.querySelectorAll('.dash-graph').length,
  plots: document.querySelectorAll('.js-plotly-plot').length,
  drawn: document.querySelectorAll('.js-plotly-plot .main-svg').length};
"""

ROTATE_SECONDS = 3

# Resolves when the kiosk rotation has moved to another screen and drawn it:
# {to: the new path, ms: from the move to drawn}; null when it did not move.
ROTATE_JS = """
var done = arguments[arguments.length - 1];
var ready = new Function(arguments[0]);
var deadline = performance.now() + arguments[1];
var start = location.pathname + location.search;
var moved = null, first = null;
function poll() {
  var now = performance.now();
  if (now > deadline) { done(null); return; }
  if (moved === null) {
    if (location.pathname + location.search !== start) { moved = now; }
    setTimeout(poll, 5);
    return;
  }
  var r = false;
  try { r = ready(); } catch (e) { r = false; }
  if (r) {
    if (first !== null) { done({to: location.pathname + location.search, ms: first - moved}); return; }
    first = now;
  } else {
    first = null;
  }
  setTimeout(poll, 10);
}
poll();
"""

# Milestones of the last load (ms since navigation start): the index page
# received, the JS bundles run (DOMContentLoaded), load, and the end of the
# last Dash request (layout, dependencies, callbacks).
MILESTONES_JS = """
var nav = performance.getEntriesByType('navigation')[0];
var last = 0, n = 0;
performance.getEntriesByType('resource').forEach(function (e) {
  if (/_dash-(layout|dependencies|update-component)/.test(e.name)) {
    n += 1; last = Math.max(last, e.responseEnd);
  }
});
return {html: nav.responseEnd, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
        dash_requests: n, last_response: last};
"""

RESOURCES_JS = """
var out = [];
var nav = performance.getEntriesByType('navigation')[0];
if (nav) {
  out.push({name: nav.name, type: 'navigation', transfer: nav.transferSize,
            encoded: nav.encodedBodySize, decoded: nav.decodedBodySize, duration: nav.duration});
}
performance.getEntriesByType('resource').forEach(function (e) {
  out.push({name: e.name, type: e.initiatorType, transfer: e.transferSize,
            encoded: e.encodedBodySize, decoded: e.decodedBodySize, duration: e.duration});
});
return out;
"""


def start_browser(profile_dir: str):
    sys.path.insert(0, str(CONFTEST.parent))
    import conftest  # tests/pages/conftest.py: the same Chromium as the page tests

    driver = conftest.start_chromium(profile_dir)
    driver.set_script_timeout(120)
    return driver


class Screens:
    def __init__(self, driver, base: str, ready_js: str) -> None:
        self.driver = driver
        self.base = base
        self.ready_js = ready_js

    def load(self, path: str, timeout_ms: float = 60000) -> dict[str, Any]:
        self.driver.get(self.base + path)
        r = self.driver.execute_async_script(WAIT_DRAWN_JS, self.ready_js, timeout_ms)
        if r["ms"] is not None:
            r.update(self.driver.execute_script(MILESTONES_JS))
        if r["ms"] is None:
            raise RuntimeError(
                f"{path}: not drawn within {timeout_ms / 1000:.0f} s; "
                f"state: {self.driver.execute_script(STATE_JS)}; console errors: {self.console_errors()}"
            )
        return r

    def wait_drawn(self, timeout_ms: float = 60000) -> dict[str, Any]:
        """After an in-page action: wait for the screen again (time since navigation start)."""
        return self.driver.execute_async_script(WAIT_DRAWN_JS, self.ready_js, timeout_ms)

    def path(self) -> str:
        return self.driver.execute_script("return location.pathname + location.search")

    def resources(self) -> list[dict[str, Any]]:
        return self.driver.execute_script(RESOURCES_JS)

    def console_errors(self) -> list[str]:
        return [e["message"] for e in self.driver.get_log("browser") if e.get("level") == "SEVERE"]


def pct(values: list[float], q: float) -> float:
    """The q-quantile, nearest rank (p95 of 10 samples is the largest but none)."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(q * len(s) + 0.5) - 1))
    return s[k]


def _kind(r: dict[str, Any]) -> str:
    name = r["name"]
    if r["type"] == "navigation":
        return "json"  # the index page: HTML with the config, counted with the JSON
    if any(p in name for p in ("/_dash-layout", "/_dash-dependencies", "/_dash-update-component")):
        return "json"
    return "static"


def payload(resources: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"json_transfer": 0, "json_body": 0, "static_transfer": 0, "static_body": 0}
    out["requests"] = len(resources)
    for r in resources:
        k = _kind(r)
        out[f"{k}_transfer"] += r["transfer"] or 0
        out[f"{k}_body"] += r["encoded"] or 0
    out["total_transfer"] = out["json_transfer"] + out["static_transfer"]
    big = sorted(resources, key=lambda r: -(r["transfer"] or 0))[:5]
    out["largest"] = [(re.sub(r"^https?://[^/]+", "", r["name"]).split("?")[0], r["transfer"]) for r in big]
    return out


def bench_scale(scale: float, loads: int, profile: bool, ready_js: str) -> dict[str, Any]:
    source_url, store_url = prepare(scale)
    child = Child(source_url, store_url, profile)
    profile_dir = tempfile.mkdtemp(prefix="bench-chromium-")
    driver = None
    try:
        info = _get_json(child.url + "/_bench/info")
        driver = start_browser(profile_dir)
        sc = Screens(driver, child.url, ready_js)
        res: dict[str, Any] = {"scale": scale, "pages": info["pages"], "errors": []}

        # cold: first load after the server started, empty browser cache
        cold = sc.load("/")
        res["cold_ms"] = cold["ms"]
        res["cold_payload"] = payload(sc.resources())
        res["errors"] += sc.console_errors()

        # department code: a link on the school screen, else the service's list
        hrefs = driver.execute_script(
            "return Array.from(document.querySelectorAll('a[href*=\"/department/\"]'))"
            ".map(function (a) { return a.getAttribute('href'); })"
        )
        dept_path = hrefs[0] if hrefs else None
        if dept_path is None and info["departments"] and any("/department/" in p for p in info["pages"]):
            dept_path = f"/department/{info['departments'][0]}"
        res["dept_path"] = dept_path
        if dept_path:
            sc.load(dept_path)  # cold too: the department's first load
        # callbacks of the first loads (server cache cold), apart from the rest
        res["cold_callbacks"] = child.timings(reset=True)

        # warm: the school screen
        sc.load("/")
        school = [sc.load("/") for _ in range(loads)]
        res["school_ms"] = [r["ms"] for r in school]
        res["school_figures"] = school[-1]["figures"]
        res["school_breakdown"] = {
            k: statistics.median(x[k] for x in school)
            for k in ("html", "dcl", "dash_requests", "last_response")
        }
        res["school_breakdown"]["draw"] = statistics.median(x["ms"] - x["last_response"] for x in school)
        res["warm_payload"] = payload(sc.resources())

        # uncached static assets with a warm server: one load after clearing the browser cache
        driver.execute_cdp_cmd("Network.clearBrowserCache", {})
        sc.load("/")
        res["uncached_payload"] = payload(sc.resources())
        res["errors"] += sc.console_errors()

        if dept_path:
            sc.load(dept_path)  # warm-up of the browser on this screen
            dept = [sc.load(dept_path) for _ in range(loads)]
            res["dept_ms"] = [r["ms"] for r in dept]
            res["dept_figures"] = dept[-1]["figures"]
            res["errors"] += sc.console_errors()

            # a click from the school screen to the department (in-page navigation)
            sc.load("/")
            link = driver.find_elements("css selector", f'a[href="{dept_path}"]')
            if link:
                t0 = time.perf_counter()
                driver.execute_script("arguments[0].click()", link[0])
                sc.driver.execute_async_script(
                    "var done = arguments[arguments.length - 1], want = arguments[0];"
                    "(function p() { if (location.pathname === want) done(1); else setTimeout(p, 5); })();",
                    dept_path,
                )
                sc.wait_drawn()
                res["click_ms"] = (time.perf_counter() - t0) * 1000

        # kiosk rotation: ?rotate=N moves on to the next screen by itself (in-page)
        sc.load(f"/?rotate={ROTATE_SECONDS}")
        rot = driver.execute_async_script(ROTATE_JS, ready_js, ROTATE_SECONDS * 1000 + 30000)
        if rot:
            res["rotate_ms"] = rot["ms"]
            res["rotated_to"] = rot["to"]
        res["errors"] += sc.console_errors()

        res["callbacks"] = child.timings()
        if profile:
            by_out: dict[str, list[float]] = {}
            for t in res["callbacks"]:
                by_out.setdefault(t["output"], []).append(t["ms"])
            slow = sorted(by_out, key=lambda o: -pct(by_out[o], 0.95))[:3]
            res["profiles"] = {o: child.profile(o) for o in slow}
        return res
    finally:
        if driver is not None:
            driver.quit()
        shutil.rmtree(profile_dir, ignore_errors=True)
        child.stop()


# -- report --------------------------------------------------------------------------


def _kb(n: float) -> str:
    return f"{n / 1024:,.0f} KB" if n >= 10240 else f"{n / 1024:,.1f} KB"


def _short(output: str, width: int = 70) -> str:
    out = output.strip(".")
    return out if len(out) <= width else out[: width - 1] + "…"


def report(results: list[dict[str, Any]], loads: int) -> str:
    lines = ["| scale | case | n | median | p95 | target |", "|---:|---|---:|---:|---:|---|"]
    for r in results:
        s = f"{r['scale']:g}"
        lines.append(
            f"| {s} | first load of `/` (server and browser cold) | 1 | {r['cold_ms']:,.0f} ms | | |"
        )
        ms = r["school_ms"]
        ok = "✓" if pct(ms, 0.95) <= TARGET_DRAWN_MS else "✗"
        lines.append(
            f"| {s} | **school screen `/` drawn** ({r['school_figures']} figures) | {loads} | "
            f"**{statistics.median(ms):,.0f} ms** | {pct(ms, 0.95):,.0f} ms | ≤ 1,500 ms {ok} |"
        )
        b = r["school_breakdown"]
        lines.append(
            f"| {s} | ↳ of which: index page {b['html']:,.0f} ms, JS bundles run (DOMContentLoaded) "
            f"{b['dcl']:,.0f} ms, last of {b['dash_requests']:.0f} Dash requests answered "
            f"{b['last_response']:,.0f} ms, then drawing {b['draw']:,.0f} ms (medians) | | | | |"
        )
        if r.get("dept_ms"):
            ms = r["dept_ms"]
            ok = "✓" if pct(ms, 0.95) <= TARGET_DRAWN_MS else "✗"
            lines.append(
                f"| {s} | **department screen `{r['dept_path']}` drawn** ({r['dept_figures']} figures) | "
                f"{loads} | **{statistics.median(ms):,.0f} ms** | {pct(ms, 0.95):,.0f} ms | ≤ 1,500 ms {ok} |"
            )
        else:
            lines.append(f"| {s} | department screen | – | no department page yet | | |")
        if r.get("click_ms") is not None:
            lines.append(f"| {s} | click school → department, drawn | 1 | {r['click_ms']:,.0f} ms | | |")
        if r.get("rotate_ms") is not None:
            lines.append(
                f"| {s} | kiosk rotation to `{r['rotated_to']}`, drawn | 1 | {r['rotate_ms']:,.0f} ms | | |"
            )
    lines.append("")
    lines.append("Callbacks (server time of POST /_dash-update-component, Flask before/after_request;")
    lines.append("warm = every request after the first load of each screen; first = that first load,")
    lines.append("service cache cold, as after every new snapshot; response = JSON before compression):")
    lines.append("")
    lines.append(
        "| scale | callback output | calls | median | p95 | max | first | response (raw) | target (p95) |"
    )
    lines.append("|---:|---|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        by: dict[str, list[dict[str, Any]]] = {}
        for t in r["callbacks"]:
            by.setdefault(t["output"], []).append(t)
        cold: dict[str, float] = {}
        for t in r["cold_callbacks"]:
            cold[t["output"]] = max(cold.get(t["output"], 0.0), t["ms"])
        for out, ts in sorted(by.items(), key=lambda kv: -pct([t["ms"] for t in kv[1]], 0.95)):
            ms = [t["ms"] for t in ts]
            p95 = pct(ms, 0.95)
            ok = "✓" if p95 <= TARGET_CALLBACK_MS else "✗"
            size = max(t["bytes"] for t in ts)
            first = f"{cold[out]:.0f} ms" if out in cold else ""
            lines.append(
                f"| {r['scale']:g} | `{_short(out)}` | {len(ms)} | {statistics.median(ms):.1f} ms | "
                f"{p95:.1f} ms | {max(ms):.1f} ms | {first} | {_kb(size)} | ≤ 100 ms {ok} |"
            )
    lines.append("")
    lines.append("Payload of one load of `/` (resource timing; JSON = index page, layout, dependencies,")
    lines.append("callback responses; static = JS bundles, CSS, fonts, favicon):")
    lines.append("")
    lines.append("| scale | load | requests | JSON transferred | static transferred | total | target |")
    lines.append("|---:|---|---:|---:|---:|---:|---|")
    for r in results:
        for label, key in (
            ("after warm-up (static assets cached)", "warm_payload"),
            ("browser cache cleared", "uncached_payload"),
        ):
            p = r[key]
            ok = "✓" if p["total_transfer"] <= TARGET_PAYLOAD_BYTES else "✗"
            lines.append(
                f"| {r['scale']:g} | {label} | {p['requests']} | {_kb(p['json_transfer'])} | "
                f"{_kb(p['static_transfer'])} | **{_kb(p['total_transfer'])}** | ≤ 1 MB {ok} |"
            )
    for r in results[:1]:
        big = ", ".join(
            f"`{name.rsplit('/', 1)[-1]}` {_kb(n)}" for name, n in r["uncached_payload"]["largest"]
        )
        lines.append("")
        lines.append(f"Largest transfers with the browser cache cleared: {big}.")
    for r in results:
        if r["errors"]:
            lines.append("")
            lines.append(f"Scale {r['scale']:g}: console errors: " + "; ".join(sorted(set(r["errors"]))))
    return "\n".join(lines)


def machine() -> str:
    import dash
    import plotly
    import selenium

    try:
        chromium = subprocess.run(
            ["/usr/bin/chromium", "--version"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
    except OSError:
        chromium = "chromium ?"
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{cpu}, {os.cpu_count()} CPUs (load average {load} at the end); "
        f"Python {platform.python_version()}, dash {dash.__version__}, "
        f"plotly {plotly.__version__}, selenium {selenium.__version__}, {chromium}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 10])
    parser.add_argument("--loads", type=int, default=10)
    parser.add_argument("--profile", action="store_true", help="cProfile every callback")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.serve:
        serve(args.serve, args.profile)
        return
    ready_js = _ready_js()
    results = []
    for scale in args.scales:
        t0 = time.monotonic()
        results.append(bench_scale(scale, args.loads, args.profile, ready_js))
        print(f"bench: scale {scale:g} done in {time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)
    print(report(results, args.loads))
    print()
    print(f"Machine: {machine()}")
    for r in results:
        for out, text in (r.get("profiles") or {}).items():
            print(f"\n### profile, scale {r['scale']:g}: {out}\n")
            print(text)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
