"""cockpit/lease.py on SQLite and PostgreSQL stores: one holder at a time, take-over when the
holder goes away (released, or dead and expired), and two `worker` processes ("hosts" with
their own data folders) that never both schedule, one taking over after the other is
killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from cockpit.lease import Lease
from cockpit.store import Store
from tests.conftest import PG_ADMIN_URL

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    name = f"lease_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _wait(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def test_one_holder_at_a_time_and_release(store_url):
    store = Store(store_url)
    a, b = Lease(store, "schedule", 30), Lease(store, "schedule", 30)
    assert a.acquire() and a.held()
    assert not b.acquire() and not b.held()
    assert a.acquire()  # renewing its own lease
    a.close()
    assert b.acquire() and b.held() and not a.held()
    b.close()
    store.dispose()


def test_an_expired_lease_is_taken_over(store_url):
    store = Store(store_url)
    dead, standby = Lease(store, "schedule", 1), Lease(store, "schedule", 30)
    assert dead.acquire()  # and never renewed: its process "died"
    _wait(standby.acquire, 10, "the expired lease to be taken")
    assert standby.held() and not dead.held()
    assert not dead.acquire()  # the old holder cannot take it back while the new one holds it
    standby.close()
    store.dispose()


def _worker(store_url: str, data: Path) -> subprocess.Popen:
    data.mkdir(parents=True, exist_ok=True)
    cfg = data / "config.yaml"
    # A schedule that never fires during the test; a short lease so the take-over is quick.
    cfg.write_text(
        'refresh: {cron: "0 3 1 1 *", lease_seconds: 3}\nreports: {in_app: false}\n', encoding="utf-8"
    )
    env = {
        **os.environ,
        "COCKPIT_CONFIG": str(cfg),
        "COCKPIT_STORE_URL": store_url,
        "COCKPIT_SOURCE_URL": f"sqlite:///{data / 'source.sqlite'}",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "cockpit", "worker"],
        cwd=data,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_two_worker_hosts_never_overlap_and_one_takes_over_after_kill_9(store_url, tmp_path):
    store = Store(store_url)
    probe = Lease(store, "schedule", 3)
    first = _worker(store_url, tmp_path / "host-a")
    second = None
    try:
        holder_a = _wait(probe.holder_of, 60, "the first worker to hold the lease")
        assert f":{first.pid}:" in holder_a
        second = _worker(store_url, tmp_path / "host-b")
        for _ in range(3):
            assert probe.holder_of() == holder_a
            _wait(lambda: second.poll() is None, 5, "the standby to keep running")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        holder_b = _wait(
            lambda: (h := probe.holder_of()) and f":{second.pid}:" in h and h, 60, "the standby to take over"
        )
        assert holder_b != holder_a
    finally:
        for p in (first, second):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait(timeout=30)
        store.dispose()
