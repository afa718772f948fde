"""The production topology (docs/deploy.md) in small: the shipped gunicorn configuration
and unit command with 2 workers on a free port, ``refresh.in_app: false``, against a
copy of the demo store. A signed-in user stays signed in on every worker, and a
sign-out on one ends the session on all; no web process schedules. The shipped nginx
site passes ``nginx -t`` (when nginx is installed; `make prod-check` installs it and
runs the whole topology behind it)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from scripts import topology as T

WORKERS = 2
PASSWORD = "topology test password"
CONFIG = "refresh:\n  in_app: false\nreports:\n  in_app: false\nauth:\n  mode: local\n"


@pytest.fixture(scope="module")
def deployment(demo_store, tmp_path_factory):
    work = tmp_path_factory.mktemp("topology")
    store_file = work / "store.sqlite"
    shutil.copy(demo_store.store_url.removeprefix("sqlite:///"), store_file)
    topo = T.Topology.create(
        work, f"sqlite:///{store_file}", CONFIG, extra_env={"COCKPIT_SOURCE_URL": demo_store.source_url}
    )
    try:
        if T.have("redis-server"):
            topo.start_redis()  # the cache and the rate-limit counters shared by the workers
        topo.cli("users", "add", "wang", "--role", "leader", "--password-stdin", stdin=PASSWORD + "\n")
        url = topo.start_web(WORKERS)
        yield topo, url
    finally:
        topo.stop_all()


def _spread(topo: T.Topology, url: str, cookies: dict[str, str], status: int) -> set[int]:
    """GET /api/snapshot on new connections until every worker has answered it; each
    answer must have ``status``. Returns the pids that answered."""
    workers = set(topo.web_worker_pids())
    start = len(topo.served_by())
    pids: set[int] = set()
    for _ in range(60):
        r = requests.get(url + "/api/snapshot", cookies=cookies, headers={"Connection": "close"}, timeout=60)
        assert r.status_code == status, r.text[:200]
        pids = {p for p, _m, path, st in topo.served_by()[start:] if path.startswith("/api/snapshot")}
        if pids >= workers:
            break
    return pids


def test_signed_in_on_every_worker_and_signed_out_on_all(deployment):
    topo, url = deployment
    workers = set(topo.web_worker_pids())
    assert len(workers) == WORKERS

    s = T.sign_in(url, "wang", PASSWORD)
    jar = s.cookies.get_dict()
    assert _spread(topo, url, jar, 200) == workers

    # Dash callbacks (POST, CSRF token from the cookie) answered for wang, whichever worker.
    deps = s.get(url + "/_dash-dependencies", timeout=60).json()
    nav = next(d for d in deps if d["output"].startswith("..nav.children"))
    outputs = [o.split(".") for o in nav["output"].strip(".").split("...")]
    body = {
        "output": nav["output"],
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [{"id": i["id"], "property": i["property"], "value": ""} for i in nav["inputs"]],
        "changedPropIds": [],
        "state": [],
    }
    for _ in range(4):
        r = s.post(
            url + "/_dash-update-component",
            json=body,
            headers={"X-CSRFToken": jar["_csrf_token"], "Connection": "close"},
            timeout=60,
        )
        assert r.status_code == 200 and "wang" in r.text

    # Signed out on one worker: refused on every worker.
    page = s.get(url + "/logout", timeout=60).text
    csrf = T.form_csrf(page)
    assert csrf is not None
    assert s.post(url + "/logout", data={"csrf": csrf}, timeout=60).status_code == 200
    assert _spread(topo, url, jar, 401) == workers


def test_no_web_process_schedules(deployment):
    """refresh.in_app: false — the web workers neither take the schedule's lease nor
    record a next run (with true, the first worker would hold it: see test_lease.py)."""
    topo, url = deployment
    assert requests.get(url + "/healthz", timeout=60).json()["snapshot_id"] is not None
    engine = create_engine(topo.env["COCKPIT_STORE_URL"])
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM lease")).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM scheduler_state")).scalar() == 0
    finally:
        engine.dispose()
    assert "refresh scheduled" not in topo.log("web") and "standing by" not in topo.log("web")


def _directive(text_: str, name: str) -> int:
    m = re.search(rf"^\s*{name}\s+(\d+)s?;", text_, re.M)
    assert m, name
    return int(m.group(1))


def test_gunicorn_settings_fit_nginx():
    """gunicorn gives up on a request before nginx does (a slow answer is a 5xx from
    gunicorn's log, never an nginx 504 with the worker still busy); nginx's keepalive
    towards gunicorn is shorter than gunicorn's."""
    from gunicorn.config import Config

    cfg = Config()
    for k, v in _load(T.DEPLOY / "gunicorn.conf.py").items():
        if k in cfg.settings:
            cfg.set(k, v)
    proxy = (T.DEPLOY / "nginx" / "proxy.conf").read_text()
    assert cfg.timeout < _directive(proxy, "proxy_read_timeout")
    assert cfg.keepalive > 60  # nginx's upstream keepalive_timeout default
    assert cfg.preload_app is False
    assert cfg.workers >= 2 and cfg.worker_class_str == "gthread"
    assert "%(p)s" in cfg.access_log_format  # the worker's pid: which process served a request


def _load(path: Path) -> dict:
    ns: dict = {"__file__": str(path)}
    exec(compile(path.read_text(), str(path), "exec"), ns)
    return {k: v for k, v in ns.items() if not k.startswith("_")}


@pytest.mark.parametrize("auth", ["local", "header"])
def test_shipped_nginx_site_is_valid(auth, tmp_path):
    if not T.have("nginx"):
        pytest.skip("nginx is not installed (`make prod-check` installs it and checks the site in full)")
    topo = T.Topology.create(tmp_path, "sqlite://", "")
    conf = topo.nginx_site("127.0.0.1:8050", auth, sso="127.0.0.1:9000")
    out = topo.nginx_test(conf)
    assert out.returncode == 0, out.stderr
    site = (conf.parent / "cockpit.conf").read_text()
    # A client's own X-Remote-User is always replaced by nginx's variable.
    assert (
        "proxy_set_header X-Remote-User $cockpit_remote_user;"
        in (conf.parent / "cockpit" / "proxy.conf").read_text()
    )
    assert site.count("include") >= 3 and "ssl_certificate" in site


def test_shipped_production_config_loads():
    """deploy/cockpit.yaml is a valid configuration (unknown keys would stop the cockpit)
    with the schedule out of the web processes and the cache in Redis; the environment
    file names only variables the cockpit or deploy/gunicorn.conf.py read."""
    from cockpit.config import load_settings

    env_file = (T.DEPLOY / "cockpit.env.example").read_text()
    env = dict(ln.split("=", 1) for ln in env_file.splitlines() if ln and not ln.startswith("#"))
    assert all(k.startswith("COCKPIT_") for k in env)
    gunicorn_conf = (T.DEPLOY / "gunicorn.conf.py").read_text()
    assert all(f'"{k}"' in gunicorn_conf for k in env if k.startswith(("COCKPIT_BIND", "COCKPIT_WEB_")))
    env.update(COCKPIT_CONFIG=str(T.DEPLOY / "cockpit.yaml"), COCKPIT_SECRET_KEY="k" * 40)
    settings = load_settings(env=env)
    assert settings.refresh.in_app is False and settings.reports.in_app is False
    assert settings.cache["CACHE_TYPE"] == "cockpit.cache.ResilientRedisCache"
    assert settings.cache["CACHE_REDIS_URL"] == "redis://127.0.0.1:6379/3"
    assert settings.auth.cookie_secure == "true" and settings.auth.header_user == "X-Remote-User"
