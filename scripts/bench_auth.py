"""What signing in costs a page load (docs/benchmarks.md, issue: access control).

One "page load" is the server side of opening the school screen in a browser:
GET /, GET /_dash-layout, GET /_dash-dependencies, the pages-router callback for
"/", the navigation callback and one /api/snapshot poll — through Flask's test
client in this process (no network, no browser), warm caches, the demo store of
the tests (scale 0.1). Modes measured:

  baseline  the same code without access control (run this script with
            PYTHONPATH pointing at a checkout from before it; it detects that)
  none      the demo's mode (loopback, no sign-in)
  local     a signed-in leader, server-side session in the store

    python scripts/bench_auth.py [--loads 200] [--store DIR]

Prints the median and p95 of one load per mode, in milliseconds.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(os.environ.get("PYTHONPATH", "").split(os.pathsep)[0] or Path(__file__).resolve().parents[1])
sys.path.insert(0, str(ROOT))

ROUTER = {
    "output": ".._pages_content.children..._pages_store.data..",
    "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
    "inputs": [
        {"id": "_pages_location", "property": "pathname", "value": "/"},
        {"id": "_pages_location", "property": "search", "value": ""},
    ],
    "state": [],
    "changedPropIds": ["_pages_location.pathname"],
}
NAV = {
    "output": "..nav.children...nav.className..",
    "outputs": [{"id": "nav", "property": "children"}, {"id": "nav", "property": "className"}],
    "inputs": [{"id": "url", "property": "search", "value": ""}],
    "state": [],
    "changedPropIds": ["url.search"],
}


def one_load(client, headers) -> float:
    t0 = time.perf_counter()
    for path in ("/", "/_dash-layout", "/_dash-dependencies", "/api/snapshot"):
        r = client.get(path)
        assert r.status_code == 200, (path, r.status_code)
    for body in (ROUTER, NAV):
        r = client.post("/_dash-update-component", json=body, headers=headers)
        assert r.status_code == 200, r.status_code
    return (time.perf_counter() - t0) * 1000


def measure(app, loads: int, sign_in: bool) -> list[float]:
    client = app.server.test_client()
    headers = {}
    if sign_in:
        page = client.get("/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        client.post("/login", data={"username": "bench", "password": "bench password 1", "csrf": csrf})
    client.get("/")
    cookie = client.get_cookie("_csrf_token")
    if cookie is not None:
        headers["X-CSRFToken"] = cookie.value
    for _ in range(5):
        one_load(client, headers)  # warm the caches
    return [one_load(client, headers) for _ in range(loads)]


def hook_cost(app, loads: int) -> list[float]:
    """The access-control work alone of one signed-in page load: the before/after hooks of
    the six requests, timed inside request contexts (no view runs), so other load on
    the machine hardly moves it."""
    from flask import Response

    from cockpit.auth import web

    client = app.server.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "bench", "password": "bench password 1", "csrf": csrf})
    token = client.get_cookie("cockpit_session").value
    xsrf = client.get_cookie("_csrf_token").value
    html = client.get("/").get_data(as_text=True)
    cookies = f"cockpit_session={token}; _csrf_token={xsrf}"
    reqs = [("GET", p, None) for p in ("/", "/_dash-layout", "/_dash-dependencies", "/api/snapshot")]
    reqs += [("POST", "/_dash-update-component", b) for b in (ROUTER, NAV)]

    def run(hooks: bool) -> float:
        t0 = time.perf_counter()
        for method, path, body in reqs:
            with app.server.test_request_context(
                path, method=method, json=body, headers={"Cookie": cookies, "X-CSRFToken": xsrf}
            ):
                if hooks:
                    assert web._before_request() is None
                mime = "text/html" if path == "/" else "application/json"
                resp = Response(html if path == "/" else "{}", mimetype=mime)
                if hooks:
                    web._after_request(resp)
        return (time.perf_counter() - t0) * 1000

    # Alternate with and without the hooks; the difference is the hooks' own work.
    return [run(True) - run(False) for _ in range(loads)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loads", type=int, default=200)
    ap.add_argument("--store", help="a demo store folder to reuse (built when missing)")
    args = ap.parse_args()
    os.environ.setdefault("COCKPIT_SECRET_KEY", "b" * 40)
    from tests.support.demo import build_demo_store

    folder = Path(args.store or tempfile.mkdtemp(prefix="bench-auth-"))
    if (folder / "store.sqlite").exists():
        from cockpit.config import load_settings

        src, st = f"sqlite:///{folder / 'source.sqlite'}", f"sqlite:///{folder / 'store.sqlite'}"
        settings = load_settings(env={"COCKPIT_SOURCE_URL": src, "COCKPIT_STORE_URL": st})
    else:
        settings = build_demo_store(folder).settings
    from cockpit.app import create_app

    try:
        import cockpit.auth  # noqa: F401

        has_auth = True
    except ImportError:
        has_auth = False
    modes = (os.environ.get("BENCH_MODES") or "none,local").split(",") if has_auth else ["baseline"]
    for mode in modes:
        s = settings
        if mode == "local":
            s = dataclasses.replace(settings, auth=dataclasses.replace(settings.auth, mode="local"))
        app = create_app(s, schedule=False)
        if mode == "local":
            acc = app.server.extensions["cockpit"].accounts
            if "bench" not in {u["name"] for u in acc.users()}:
                acc.add_user("bench", ["leader"], password="bench password 1")
        times = measure(app, args.loads, sign_in=mode == "local")
        p95 = statistics.quantiles(times, n=20)[-1]
        median = statistics.median(times)
        print(f"{mode:9s} page load: median {median:6.2f} ms  p95 {p95:6.2f} ms  ({args.loads} loads)")
        if mode == "local":
            hooks = hook_cost(app, args.loads)
            print(
                f"local     access-control work of one page load: median {statistics.median(hooks):5.2f} ms"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
