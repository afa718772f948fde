"""The production topology of docs/deploy.md on 127.0.0.1, built from the shipped files.

Used by ``scripts/prod_check.py`` (``make prod-check``), ``scripts/load.py`` and
``tests/deploy/test_topology.py``. Each piece is a child process on a free port:

* the store: a uniquely named PostgreSQL database (or a given SQLAlchemy URL);
* Redis: a private ``redis-server`` (nothing shared with other users of the host);
* gunicorn: the ExecStart line of ``deploy/systemd/cockpit-web.service`` with
  ``deploy/gunicorn.conf.py``, ``refresh.in_app: false``;
* the worker: the ExecStart line of ``deploy/systemd/cockpit-worker.service``;
* nginx: ``deploy/nginx/cockpit.conf`` with its placeholders (ports, certificate,
  upstream, include paths) replaced, a self-signed certificate, a temporary prefix,
  in the foreground.

Nothing here is used by the cockpit itself.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
INSTALL_DIR = "/opt/cockpit"  # where the shipped units expect the cockpit
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ACCESS_PID = re.compile(r"pid=<?(\d+)>? \"(\w+) (\S+) [^\"]*\" (\d{3}) ")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, check: Any, timeout: float, proc: subprocess.Popen | None = None) -> Any:
    """Poll ``check()`` until it returns a truthy value; fail with ``what`` after ``timeout``
    seconds or as soon as ``proc`` (the process that should bring it up) has exited."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with {proc.returncode}")
        try:
            value = check()
            if value:
                return value
        except Exception as e:  # not up yet
            last = e
        time.sleep(0.2)
    raise TimeoutError(f"{what}: not ready after {timeout:.0f} s ({last})")


def exec_start(unit: str) -> list[str]:
    """The ExecStart command of a shipped systemd unit, with the install folder replaced
    by this checkout: the topology runs exactly what the units run."""
    text = (DEPLOY / "systemd" / unit).read_text()
    line = next(ln for ln in text.splitlines() if ln.startswith("ExecStart="))
    return [a.replace(INSTALL_DIR, str(ROOT)) for a in shlex.split(line.split("=", 1)[1])]


# -- the store ----------------------------------------------------------------------------


@contextmanager
def postgres_database(prefix: str = "cockpit_prod") -> Iterator[str]:
    """A new, uniquely named PostgreSQL database; dropped at the end."""
    from sqlalchemy import create_engine, text

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def fill_store(env: dict[str, str], scale: float, weeks: int) -> int:
    """The demo school into COCKPIT_SOURCE_URL (a SQLite file), then today's snapshot and
    ``weeks`` week ends of history into COCKPIT_STORE_URL. Returns the current snapshot id."""
    from cockpit.config import load_settings
    from cockpit.demo import generate
    from cockpit.refresh import backfill, run_refresh
    from cockpit.store import Store

    settings = load_settings(env=env)
    generate(settings.source_url, scale=scale, seed=2026)
    store = Store(settings.store_url)
    try:
        if weeks:
            backfill(settings, weeks, store=store)
        return run_refresh(settings, settings.today(), trigger="cli", store=store)
    finally:
        store.engine.dispose()


# -- the pieces ---------------------------------------------------------------------------


@dataclass
class Topology:
    """The processes of one deployment on 127.0.0.1, in ``work`` (a temporary folder)."""

    work: Path
    env: dict[str, str]
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)

    @classmethod
    def create(
        cls, work: Path, store_url: str, config: str, extra_env: dict[str, str] | None = None
    ) -> Topology:
        """``config``: the YAML overrides (COCKPIT_CONFIG) of this deployment."""
        work.mkdir(parents=True, exist_ok=True)
        (work / "cockpit.yaml").write_text(config)
        env = {
            k: v for k, v in os.environ.items() if not k.startswith("COCKPIT_") and k != "GUNICORN_CMD_ARGS"
        }
        env.update(
            PYTHONPATH=str(ROOT),
            COCKPIT_CONFIG=str(work / "cockpit.yaml"),
            COCKPIT_STORE_URL=store_url,
            COCKPIT_SOURCE_URL=f"sqlite:///{work / 'source.sqlite'}",
            COCKPIT_SECRET_KEY=secrets.token_urlsafe(48),
        )
        env.update(extra_env or {})
        return cls(work=work, env=env)

    def cockpit_env(self) -> dict[str, str]:
        """The environment as the cockpit's own settings loader sees it (for in-process use)."""
        return {k: v for k, v in self.env.items() if k.startswith("COCKPIT_")}

    def _spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        log = open(self.work / f"{name}.log", "ab")  # noqa: SIM115 — the child keeps it
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=env or self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs[name] = proc
        return proc

    @property
    def ca(self) -> str:
        """The self-signed certificate nginx serves (for clients to verify it)."""
        return str(self.work / "nginx" / "cockpit" / "cert.pem")

    def log(self, name: str) -> str:
        path = self.work / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self, name: str, timeout: float = 30) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: the process and its children
            proc.wait(10)

    def stop_all(self) -> None:
        for name in reversed(list(self.procs)):
            self.stop(name)

    # redis ---------------------------------------------------------------------------

    def start_redis(self) -> str:
        port = self.ports["redis"] = free_port()
        argv = ["redis-server", "--bind", "127.0.0.1", "--port", str(port)]
        argv += ["--save", "", "--appendonly", "no"]
        proc = self._spawn("redis", argv)
        import redis

        url = f"redis://127.0.0.1:{port}/0"
        wait_for("redis", lambda: redis.Redis.from_url(url).ping(), 20, proc)
        self.env["COCKPIT_REDIS_URL"] = url
        return url

    # the cockpit -----------------------------------------------------------------------

    def cli(self, *args: str, stdin: str | None = None) -> str:
        """``python -m cockpit ARGS`` in this deployment's environment."""
        out = subprocess.run(
            [sys.executable, "-m", "cockpit", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if out.returncode != 0:
            raise RuntimeError(f"cockpit {' '.join(args)}: {out.stderr.strip()[-500:]}")
        return out.stdout

    def start_web(self, workers: int, name: str = "web") -> str:
        """gunicorn as cockpit-web.service runs it, on a free port; waits for /healthz."""
        import requests

        port = self.ports[name] = free_port()
        env = dict(
            self.env,
            COCKPIT_BIND=f"127.0.0.1:{port}",
            COCKPIT_WEB_WORKERS=str(workers),
            COCKPIT_ACCESS_LOG=str(self.work / f"{name}-access.log"),
        )
        proc = self._spawn(name, exec_start("cockpit-web.service"), env)
        url = f"http://127.0.0.1:{port}"
        wait_for("gunicorn", lambda: requests.get(url + "/healthz", timeout=5).ok, 180, proc)
        wait_for(f"{workers} gunicorn workers", lambda: len(self.web_worker_pids(name)) == workers, 180, proc)
        return url

    def web_worker_pids(self, name: str = "web") -> list[int]:
        """The gunicorn worker processes (children of the arbiter)."""
        proc = self.procs[name]
        path = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        return [int(p) for p in path.read_text().split()] if path.exists() else []

    def served_by(self, name: str = "web") -> list[tuple[int, str, str, int]]:
        """(worker pid, method, path, status) of each request in the access log."""
        path = self.work / f"{name}-access.log"
        rows = []
        for line in path.read_text(errors="replace").splitlines() if path.exists() else []:
            m = ACCESS_PID.search(line)
            if m:
                rows.append((int(m.group(1)), m.group(2), m.group(3), int(m.group(4))))
        return rows

    def start_worker(self) -> subprocess.Popen:
        return self._spawn("worker", exec_start("cockpit-worker.service"))

    # nginx -----------------------------------------------------------------------------

    def nginx_site(self, upstream: str, auth: str, sso: str = "127.0.0.1:9000") -> Path:
        """deploy/nginx/*.conf into ``work/nginx`` with the placeholders replaced; a self-signed
        certificate; an nginx.conf around the site. Returns the nginx.conf path."""
        conf = self.work / "nginx"
        for sub in ("cockpit", "cache", "temp", "logs"):
            (conf / sub).mkdir(parents=True, exist_ok=True)
        self.ports.setdefault("https", free_port())
        self.ports.setdefault("http", free_port())
        _self_signed(conf / "cockpit")
        subs = {
            "/etc/nginx/cockpit/": f"{conf / 'cockpit'}/",
            "/var/cache/nginx/cockpit": str(conf / "cache"),
            "/etc/ssl/cockpit/fullchain.pem": str(conf / "cockpit" / "cert.pem"),
            "/etc/ssl/cockpit/privkey.pem": str(conf / "cockpit" / "key.pem"),
            "listen 443 ": f"listen 127.0.0.1:{self.ports['https']} ",
            "listen [::]:443 ssl http2;": "",
            "listen 80;": f"listen 127.0.0.1:{self.ports['http']};",
            "listen [::]:80;": "",
            "server 127.0.0.1:8050;": f"server {upstream};",
            "http://127.0.0.1:9000/": f"http://{sso}/",
            "server_name cockpit.example.edu.cn;": "server_name localhost 127.0.0.1;",
        }
        site = _replace((DEPLOY / "nginx" / "cockpit.conf").read_text(), subs)
        (conf / "cockpit.conf").write_text(site)
        (conf / "cockpit" / "proxy.conf").write_text((DEPLOY / "nginx" / "proxy.conf").read_text())
        auth_text = _replace((DEPLOY / "nginx" / f"auth-{auth}.conf").read_text(), subs)
        (conf / "cockpit" / "auth.conf").write_text(auth_text)
        root_user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
        if root_user:  # nginx's workers run as nobody: they traverse the folders, write cache and temp
            for p in (self.work, conf, conf / "cockpit"):
                os.chmod(p, 0o755)
            for sub in ("cache", "temp", "logs"):
                os.chmod(conf / sub, 0o777)
            os.chmod(conf / "cockpit" / "key.pem", 0o600)
        (conf / "nginx.conf").write_text(
            f"{root_user}worker_processes 1;\ndaemon off;\npid {conf}/nginx.pid;\n"
            f"error_log {conf}/logs/error.log warn;\n"
            "events { worker_connections 512; }\n"
            "http {\n"
            "  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
            f"  access_log {conf}/logs/access.log;\n"
            + "".join(
                f"  {d}_temp_path {conf}/temp/{d};\n"
                for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
            )
            + f"  include {conf}/cockpit.conf;\n}}\n"
        )
        return conf / "nginx.conf"

    def nginx_test(self, nginx_conf: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["nginx", "-t", "-p", str(nginx_conf.parent), "-c", str(nginx_conf)],
            capture_output=True,
            text=True,
            timeout=30,
        )

    def start_nginx(self, nginx_conf: Path) -> str:
        import requests

        proc = self._spawn("nginx", ["nginx", "-p", str(nginx_conf.parent), "-c", str(nginx_conf)])
        url = f"https://127.0.0.1:{self.ports['https']}"
        wait_for("nginx", lambda: requests.get(url + "/healthz", timeout=5, verify=self.ca).ok, 30, proc)
        return url

    def reload_nginx(self) -> None:
        """New configuration: SIGHUP to the master; waits until its workers are the new ones."""
        proc = self.procs["nginx"]
        path = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        before = set(path.read_text().split())
        proc.send_signal(signal.SIGHUP)
        wait_for("nginx reload", lambda: set(path.read_text().split()) - before, 30, proc)


def _replace(text: str, subs: dict[str, str]) -> str:
    for old, new in subs.items():
        text = text.replace(old, new)
    return text


def _self_signed(folder: Path) -> None:
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip


def have(program: str) -> bool:
    return shutil.which(program) is not None


def sign_in(base: str, user: str, password: str, verify: bool | str = True) -> Any:
    """A requests.Session signed in through the login form (local mode)."""
    import requests

    s = requests.Session()
    s.verify = verify
    s.trust_env = False  # a REQUESTS_CA_BUNDLE in the environment would override verify
    page = s.get(base + "/login", timeout=30)
    csrf = form_csrf(page.text)
    if csrf is None:
        raise RuntimeError(f"no csrf field on /login ({page.status_code})")
    r = s.post(
        base + "/login",
        data={"username": user, "password": password, "csrf": csrf, "next": "/"},
        allow_redirects=False,
        timeout=30,
    )
    if r.status_code not in (302, 303) or "cockpit_session" not in s.cookies:
        raise RuntimeError(f"sign-in of {user} failed: {r.status_code}")
    return s


def form_csrf(html: str) -> str | None:
    """The hidden csrf field of a sign-in or sign-out form."""
    m = re.search(r'name="csrf"[^>]*value="([^"]+)"', html)
    m = m or re.search(r'value="([^"]+)"[^>]*name="csrf"', html)
    return m.group(1) if m else None
