"""The refresh schedule: one cron job, never overlapping, coalesced; the web
app schedules only when configured and never twice for one store."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

import cockpit.scheduler as scheduler
from cockpit.config import load_settings
from cockpit.refresh import RefreshError
from cockpit.scheduler import (
    JOB_ID,
    SchedulerBusy,
    acquire_lock,
    build_scheduler,
    next_run_time,
    run_worker,
    scheduled_refresh,
    stop_scheduler,
)
from cockpit.store import Store


def make_settings(tmp_path: Path, extra: str = ""):
    cfg = tmp_path / "cockpit.yaml"
    cfg.write_text(f'store_url: "sqlite:///{tmp_path}/store.sqlite"\n{extra}', encoding="utf-8")
    return load_settings({"COCKPIT_CONFIG": str(cfg)}, root=tmp_path)


def test_job_options(tmp_path):
    s = make_settings(tmp_path, 'refresh: {cron: "15 7 * * 1-5", misfire_grace_seconds: 900}\n')
    sched = build_scheduler(s)
    assert isinstance(sched, BackgroundScheduler)
    job = sched.get_job(JOB_ID)
    assert job.max_instances == 1
    assert job.coalesce is True
    assert job.misfire_grace_time == 900
    assert isinstance(job.trigger, CronTrigger)
    assert str(job.trigger.timezone) == "Asia/Shanghai"
    fields = {f.name: str(f) for f in job.trigger.fields}
    assert (fields["minute"], fields["hour"], fields["day_of_week"]) == ("15", "7", "mon-fri")
    assert job.args == (s,)
    assert isinstance(build_scheduler(s, blocking=True), BlockingScheduler)


def test_next_run_time_before_start_follows_the_cron(tmp_path):
    s = make_settings(tmp_path)
    nrt = next_run_time(build_scheduler(s))
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    assert now < nrt <= now + timedelta(minutes=30)
    assert nrt.minute in (0, 30) and nrt.second == 0


def test_started_scheduler_records_next_run_in_store(tmp_path):
    s = make_settings(tmp_path)
    store = Store(s.store_url)
    sched = build_scheduler(s, store=store)
    sched.start()
    try:
        assert sched.running
        assert store.next_run() == next_run_time(sched)
    finally:
        stop_scheduler(sched)
    assert not sched.running


def test_no_overlap_and_coalesced_when_run(tmp_path):
    """A job still running when its next time comes is skipped, not doubled."""
    s = make_settings(tmp_path, 'refresh: {cron: "* * * * *"}\n')
    started = threading.Event()
    release = threading.Event()
    calls = []

    def slow_job():
        calls.append(1)
        started.set()
        release.wait(10)

    sched = build_scheduler(s, job=slow_job)
    sched.start()
    try:
        job = sched.get_job(JOB_ID)
        job.modify(next_run_time=datetime.now(ZoneInfo("Asia/Shanghai")))
        assert started.wait(10)
        skipped = threading.Event()
        from apscheduler.events import EVENT_JOB_MAX_INSTANCES

        sched.add_listener(lambda _e: skipped.set(), EVENT_JOB_MAX_INSTANCES)
        job.modify(next_run_time=datetime.now(ZoneInfo("Asia/Shanghai")))
        assert skipped.wait(10)
        assert calls == [1]
    finally:
        release.set()
        stop_scheduler(sched, wait=True)


def test_scheduled_refresh_never_raises(tmp_path, monkeypatch):
    s = make_settings(tmp_path)

    def failing(*a, **k):
        raise RefreshError("source down")

    monkeypatch.setattr(scheduler, "run_refresh", failing)
    assert scheduled_refresh(s) is None
    monkeypatch.setattr(scheduler, "run_refresh", lambda *a, **k: 1 / 0)
    assert scheduled_refresh(s) is None
    monkeypatch.setattr(
        scheduler, "run_refresh", lambda settings, trigger, **k: 42 if trigger == "schedule" else 0
    )
    assert scheduled_refresh(s) == 42


def test_lock_is_exclusive_per_store(tmp_path):
    s = make_settings(tmp_path)
    first = acquire_lock(s)
    assert first is not None
    try:
        assert acquire_lock(s) is None
        with pytest.raises(SchedulerBusy, match="another process"):
            run_worker(s, wait=False)
    finally:
        first.close()
    again = acquire_lock(s)
    assert again is not None
    again.close()


def test_web_app_schedules_once(tmp_path):
    from cockpit.app import create_app

    s = make_settings(tmp_path)
    assert s.refresh.in_app
    one = create_app(s)
    two = create_app(s)
    try:
        first = one.server.extensions["cockpit"].scheduler
        assert first is not None and first.running
        assert two.server.extensions["cockpit"].scheduler is None  # guarded: no double start
        assert one.server.extensions["cockpit"].next_run_time() == next_run_time(first)
        assert two.server.extensions["cockpit"].next_run_time() == next_run_time(first)  # via the store
    finally:
        two.server.extensions["cockpit"].standby_stop.set()  # the standby stops waiting
        stop_scheduler(first)


def test_web_app_does_not_schedule_when_a_worker_does(tmp_path):
    from cockpit.app import create_app

    s = make_settings(tmp_path, "refresh: {in_app: false}\n")
    app = create_app(s)
    assert app.server.extensions["cockpit"].scheduler is None
    lock = acquire_lock(s)
    assert lock is not None  # free for the worker
    lock.close()


def test_an_interrupted_scheduled_refresh_is_caught_up_by_the_next_holder(tmp_path):
    """The latest scheduled refresh left 'running' (its process died) and nothing published
    since: whoever takes the schedule over runs it now, not at the cron's next time."""
    from datetime import date

    from cockpit.store import RefreshResult

    s = make_settings(tmp_path, 'refresh: {cron: "0 3 1 1 *"}\n')  # next due in months
    store = Store(s.store_url)
    assert not scheduler.interrupted_schedule(store), "an empty store has nothing to catch up"
    store.begin(date(2026, 11, 20), "cli")
    assert not scheduler.interrupted_schedule(store), "a CLI run is not the schedule's"
    died = store.begin(date(2026, 11, 21), "schedule")
    assert scheduler.interrupted_schedule(store)
    lease = acquire_lock(s, store)
    sched = build_scheduler(s, store=store, lease=lease)
    due = sched.get_job(JOB_ID).next_run_time
    assert due is not None and due <= datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(seconds=1)
    lease.close()
    store.fail(died, "killed")
    assert not scheduler.interrupted_schedule(store), "a failed run was finished, and says so"
    sid = store.begin(date(2026, 11, 21), "schedule")
    store.complete(sid, RefreshResult(as_of=date(2026, 11, 21)))
    store.begin(date(2026, 11, 21), "cli")
    assert not scheduler.interrupted_schedule(store), "the latest scheduled run published"
    quiet = build_scheduler(s, store=store, lease=acquire_lock(s, store))
    assert getattr(quiet.get_job(JOB_ID), "next_run_time", None) is None, "the cron decides"
