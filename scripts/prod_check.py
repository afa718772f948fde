"""`make prod-check`: the production topology of docs/deploy.md on 127.0.0.1, checked end to end.

Starts, from the shipped files (scripts/topology.py): a PostgreSQL store (a new
database), a private Redis, gunicorn with 4 workers (``refresh.in_app: false``), one
``python -m cockpit worker``, and nginx with deploy/nginx/cockpit.conf, TLS from a
self-signed certificate. Then checks:

1. the shipped units pass ``systemd-analyze verify`` (when present) and the site ``nginx -t``;
2. http:// redirects to https://;
3. a user created with the CLI signs in through nginx (Secure cookies: nginx's
   X-Forwarded-Proto reached the app) and stays signed in on every gunicorn worker
   (the access log's pids), Dash callbacks included (CSRF);
4. no web process holds the schedule's lease: the worker does, and the snapshot it
   makes is what the web serves;
5. gzip on JavaScript, CSS and JSON, versioned assets cached by nginx; the client address
   recorded is the one nginx saw (a forged X-Forwarded-For is ignored);
6. auth.mode header: with deploy/nginx/auth-header.conf and an SSO gateway, the user the
   gateway names gets in; a client's own X-Remote-User is dropped.

Everything is torn down at the end (the database dropped), pass or fail.

    python scripts/prod_check.py [--workers 4] [--scale 0.1] [--keep]
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts import topology as T

PASSWORD = "prod-check password 2026"
CONFIG = """\
refresh:
  in_app: false
  cron: "* * * * *"
reports:
  in_app: false
auth:
  mode: {mode}
  cookie_secure: auto
cache:
  type: RedisCache
"""


class Checks:
    def __init__(self) -> None:
        self.failed: list[str] = []

    def ok(self, cond: bool, what: str, detail: Any = "") -> bool:
        print(f"  {'ok  ' if cond else 'FAIL'} {what}" + (f" — {detail}" if detail and not cond else ""))
        if not cond:
            self.failed.append(what)
        return cond


def check_units(c: Checks) -> None:
    if not T.have("systemd-analyze"):
        print("  skip systemd-analyze verify: not installed")
        return
    for unit in ("cockpit-web.service", "cockpit-worker.service"):
        out = subprocess.run(
            ["systemd-analyze", "verify", str(T.DEPLOY / "systemd" / unit)], capture_output=True, text=True
        )
        # The only complaint allowed: /opt/cockpit is not installed on this machine.
        lines = [ln for ln in out.stderr.splitlines() if ln.strip() and "/opt/cockpit" not in ln]
        c.ok(not lines, f"systemd-analyze verify {unit}", lines[:3])
    argv = T.exec_start("cockpit-web.service")
    runs = Path(argv[0]).exists() and argv[-1] == "app:server"
    c.ok(runs, "cockpit-web.service runs gunicorn app:server", argv)


def check_sessions(c: Checks, topo: T.Topology, web: str, site: str, workers: int) -> Any:
    print("sign-in and sessions across workers")
    r = requests.get(site.replace("https", "http").replace(str(topo.ports["https"]), str(topo.ports["http"])),
                     allow_redirects=False, timeout=10)  # fmt: skip
    c.ok(r.status_code == 301 and r.headers.get("Location", "").startswith("https://"), "http → https", r)
    topo.cli("users", "add", "wang", "--role", "leader", "--password-stdin", stdin=PASSWORD + "\n")
    s = T.sign_in(site, "wang", PASSWORD, verify=topo.ca)
    cookie = next(ck for ck in s.cookies if ck.name == "cockpit_session")
    c.ok(bool(cookie.secure), "the session cookie is Secure behind nginx (X-Forwarded-Proto trusted)")
    before = len(topo.served_by())
    jar = s.cookies.get_dict()  # plain http straight to gunicorn: send the Secure cookies too
    codes = []
    for _ in range(workers * 15):  # a new connection each: the arbiter hands them to any worker
        r = requests.get(web + "/api/snapshot", cookies=jar, headers={"Connection": "close"}, timeout=30)
        codes.append(r.status_code)
    served = topo.served_by()[before:]
    pids = {pid for pid, _m, path, st in served if path.startswith("/api/snapshot") and st == 200}
    c.ok(set(codes) == {200}, f"{len(codes)} requests signed in", sorted(set(codes)))
    c.ok(pids == set(topo.web_worker_pids()), f"served by all {workers} workers", sorted(pids))
    # A Dash callback (POST, CSRF from the cookie) through nginx, on whichever worker.
    deps = s.get(site + "/_dash-dependencies", timeout=30).json()
    nav = next(d for d in deps if d["output"].startswith("..nav.children"))
    body = {
        "output": nav["output"],
        "outputs": [
            {"id": o.split(".")[0], "property": o.split(".")[1]}
            for o in nav["output"].strip(".").split("...")
        ],
        "inputs": [{"id": i["id"], "property": i["property"], "value": ""} for i in nav["inputs"]],
        "changedPropIds": [],
        "state": [],
    }
    csrf = s.cookies.get("_csrf_token")
    oks = 0
    for _ in range(workers * 2):
        r = s.post(site + "/_dash-update-component", json=body, headers={"X-CSRFToken": csrf}, timeout=30)
        oks += r.status_code == 200 and "wang" in r.text
    c.ok(oks == workers * 2, f"{workers * 2} callbacks with CSRF answered for wang", oks)
    r = s.post(site + "/_dash-update-component", json=body, timeout=30)
    c.ok(r.status_code == 403, "a callback without the CSRF header is refused", r.status_code)
    return s


def check_client_address(c: Checks, topo: T.Topology, site: str) -> None:
    """The address the cockpit records is the one nginx saw, not what a client claims."""
    import requests as rq
    from sqlalchemy import create_engine

    from cockpit.auth.accounts import Accounts

    s = rq.Session()
    s.trust_env = False
    page = s.get(site + "/login", verify=topo.ca, timeout=30).text
    form = {"username": "forger", "password": "wrong", "csrf": T.form_csrf(page) or "", "next": "/"}
    s.post(site + "/login", data=form, headers={"X-Forwarded-For": "6.6.6.6"}, verify=topo.ca, timeout=30)
    engine = create_engine(topo.env["COCKPIT_STORE_URL"])
    try:
        ips = {ln["ip"] for ln in Accounts(engine).audit_lines() if ln.get("target") == "forger"}
    finally:
        engine.dispose()
    c.ok(ips == {"127.0.0.1"}, "a forged X-Forwarded-For is not the recorded client address", ips)


def check_schedule(c: Checks, topo: T.Topology, site: str, s: Any, first_sid: int) -> None:
    print("the worker holds the schedule; the web serves its snapshot")
    from sqlalchemy import create_engine, text

    engine = create_engine(topo.env["COCKPIT_STORE_URL"])
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT name, holder FROM lease")).all()
        c.ok(not rows, "no web process took the schedule's lease (refresh.in_app: false)", rows)
        worker = topo.start_worker()

        def holder() -> str | None:
            with engine.connect() as conn:
                return conn.execute(text("SELECT holder FROM lease WHERE name = 'schedule'")).scalar()

        h = T.wait_for("the worker's lease", holder, 60, worker)
        c.ok(h.split(":")[1] == str(worker.pid), "the worker holds the lease", h)
        print("  … waiting for the worker's first scheduled refresh (cron: every minute)")

        def new_sid() -> int | None:
            sid = requests.get(site + "/healthz", verify=topo.ca, timeout=10).json()["snapshot_id"]
            return sid if sid != first_sid else None

        sid = T.wait_for("a snapshot made by the worker", new_sid, 240, worker)
        with engine.connect() as conn:
            trig = conn.execute(text("SELECT trigger FROM snapshot WHERE id = :i"), {"i": sid}).scalar()
        c.ok(trig == "schedule", f"snapshot {sid} made by the schedule", trig)
        served = s.get(site + "/api/snapshot", timeout=30).json()["snapshot_id"]
        c.ok(served == sid, "the web serves the worker's snapshot", served)
    finally:
        engine.dispose()
        topo.stop("worker")


def check_gzip(c: Checks, site: str, s: Any) -> None:
    print("compression and asset caching")
    page = s.get(site + "/", timeout=30).text
    js = re.search(r'src="(/_dash-component-suites/[^"]+\.js[^"]*)"', page)
    css = re.search(r'href="(/assets/[^"]+\.css[^"]*)"', page)
    urls = (("JavaScript", js and js.group(1)), ("CSS", css and css.group(1)), ("JSON", "/_dash-layout"))
    for what, path in urls:
        if not path:
            c.ok(False, f"a {what} URL on the page")
            continue
        r = s.get(site + path, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=30)
        raw = r.raw.read(decode_content=False)
        enc = r.headers.get("Content-Encoding")
        smaller = enc == "gzip" and len(gzip.decompress(raw)) > len(raw)
        c.ok(smaller, f"{what} gzip-compressed ({path[:48]})", enc)
    if js:
        s.get(site + js.group(1), timeout=30)
        r = s.get(site + js.group(1), timeout=30)
        c.ok(r.headers.get("X-Cache-Status") == "HIT", "a versioned asset served from nginx's cache",
             r.headers.get("X-Cache-Status"))  # fmt: skip


class _Gateway(http.server.BaseHTTPRequestHandler):
    """A stand-in SSO gateway: its session cookie `sso` names the user."""

    def do_GET(self) -> None:
        m = re.search(r"(?:^|;\s*)sso=(\w+)", self.headers.get("Cookie", ""))
        self.send_response(200 if m else 401)
        if m:
            self.send_header("X-Remote-User", m.group(1))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        pass


def check_header_mode(c: Checks, topo: T.Topology) -> None:
    print("auth.mode header behind nginx (deploy/nginx/auth-header.conf)")
    gw = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    threading.Thread(target=gw.serve_forever, daemon=True).start()
    try:
        topo.stop("web")
        (topo.work / "cockpit.yaml").write_text(CONFIG.format(mode="header"))
        topo.start_web(2)
        conf = topo.nginx_site(f"127.0.0.1:{topo.ports['web']}", "header", sso=f"127.0.0.1:{gw.server_port}")
        c.ok(topo.nginx_test(conf).returncode == 0, "nginx -t with auth-header.conf")
        topo.reload_nginx()
        site = f"https://127.0.0.1:{topo.ports['https']}"
        topo.cli("users", "add", "zhou", "--role", "admin")  # a known user without figures
        get = lambda **kw: requests.get(site + "/", verify=topo.ca, allow_redirects=False, timeout=30, **kw)  # noqa: E731
        r = get(cookies={"sso": "wang"})
        c.ok(r.status_code == 200, "the gateway's user (wang, leader) gets the school screen", r.status_code)
        r = get(headers={"X-Remote-User": "wang"})
        to_gateway = r.status_code == 302 and "sso.example.edu.cn" in r.headers.get("Location", "")
        c.ok(to_gateway, "no SSO session, forged X-Remote-User: sent to the gateway's sign-in", r.status_code)
        r = get(cookies={"sso": "zhou"}, headers={"X-Remote-User": "wang"})
        c.ok(r.status_code == 403, "SSO user zhou forging X-Remote-User: wang stays zhou (no figures: 403)",
             r.status_code)  # fmt: skip
        lines = topo.cli("audit", "--csv")
        c.ok("zhou" in lines and "header" in lines, "the audit log names the gateway's users")
    finally:
        gw.shutdown()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--scale", type=float, default=0.1, help="demo school size (1 = the product's demo)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (logs)")
    args = ap.parse_args()
    c = Checks()
    print("shipped files")
    check_units(c)
    if not T.have("nginx"):
        print("nginx is not installed: `make prod-check` installs it (apt-get install nginx)")
        return 2
    work = Path(tempfile.mkdtemp(prefix="cockpit-prod-"))
    t0 = time.monotonic()
    with T.postgres_database() as store_url:
        topo = T.Topology.create(work, store_url, CONFIG.format(mode="local"))
        try:
            print(f"store {store_url.rsplit('/', 1)[1]}: the demo school (scale {args.scale:g}) and 2 weeks")
            topo.start_redis()
            first = T.fill_store(topo.cockpit_env(), args.scale, 2)
            web = topo.start_web(args.workers)
            conf = topo.nginx_site(f"127.0.0.1:{topo.ports['web']}", "local")
            test = topo.nginx_test(conf)
            c.ok(test.returncode == 0, "nginx -t of deploy/nginx/cockpit.conf", test.stderr[-300:])
            site = topo.start_nginx(conf)
            print(f"gunicorn {web} ({args.workers} workers), nginx {site}, redis :{topo.ports['redis']}")
            s = check_sessions(c, topo, web, site, args.workers)
            check_gzip(c, site, s)
            check_client_address(c, topo, site)
            check_schedule(c, topo, site, s, first)
            check_header_mode(c, topo)
            errors = [ln for ln in topo.log("web").splitlines() if "Traceback" in ln or "[ERROR]" in ln]
            c.ok(not errors, "no errors in gunicorn's log", errors[:3])
        finally:
            topo.stop_all()
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
    if args.keep:
        print(f"logs: {work}")
    took = time.monotonic() - t0
    if c.failed:
        print(f"prod-check FAILED ({len(c.failed)}): {'; '.join(c.failed)}  [{took:.0f} s]")
        return 1
    print(f"prod-check passed  [{took:.0f} s]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
