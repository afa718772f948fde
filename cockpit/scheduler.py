"""The refresh schedule (APScheduler 3.11).

One cron job, ``refresh``, from config ``refresh.cron`` in ``refresh.timezone``:
never two runs at once (max_instances=1), missed runs folded into one
(coalesce=True), a run late by at most ``refresh.misfire_grace_seconds``
still runs. Inside the web app a BackgroundScheduler runs it (when
``refresh.in_app`` is true); ``python -m cockpit worker`` runs it alone with a
BlockingScheduler. Only one process per store schedules: the first takes an
exclusive lock file, any other (a second web worker, a second create_app in
the same process) does not schedule.

The next run time is written to the store (table scheduler_state) after
start and after every run, so the status page shows it whichever process
schedules; ``next_run_time(scheduler)`` gives it from a scheduler object.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_SCHEDULER_STARTED,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from cockpit.config import Settings, parse_cron
from cockpit.refresh import RefreshError, one_line, run_refresh
from cockpit.store import Store

log = logging.getLogger(__name__)

JOB_ID = "refresh"
REPORT_JOB_ID = "reports"  # the weekly reports (config reports.cron), docs/reports.md
_EVENTS = (
    EVENT_SCHEDULER_STARTED
    | EVENT_JOB_EXECUTED
    | EVENT_JOB_ERROR
    | EVENT_JOB_MISSED
    | EVENT_JOB_MAX_INSTANCES
)


def scheduled_refresh(settings: Settings) -> int | None:
    """The job: one refresh; failures are logged (and recorded in the store), never raised."""
    try:
        return run_refresh(settings, trigger="schedule")
    except RefreshError as e:
        log.warning("scheduled refresh failed: %s", e)
    except Exception as e:  # keep the scheduler alive whatever happens
        log.error("scheduled refresh failed: %s", one_line(e))
    return None


def scheduled_reports(settings: Settings) -> None:
    """The weekly report job (cockpit.reports.job.scheduled_reports): never raises."""
    try:
        from cockpit.reports.job import scheduled_reports as run

        run(settings)
    except Exception as e:  # keep the scheduler alive whatever happens
        log.error("scheduled reports failed: %s", one_line(e))


def add_report_job(sched: BaseScheduler, settings: Settings) -> None:
    """The weekly reports next to the refresh (own executor: a long report batch never
    delays a refresh), when config reports.in_app is true."""
    reports = settings.reports
    if reports is None or not reports.in_app:
        return
    if "reports" not in sched._executors:
        sched.add_executor(ThreadPoolExecutor(max_workers=1), alias="reports")
    sched.add_job(
        scheduled_reports,
        trigger=parse_cron(reports.cron, settings.refresh.timezone),
        args=[settings],
        id=REPORT_JOB_ID,
        name="weekly reports",
        executor="reports",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=max(settings.refresh.misfire_grace_seconds, 3600),
        replace_existing=True,
    )


def build_scheduler(
    settings: Settings,
    *,
    blocking: bool = False,
    job: Callable[..., Any] | None = None,
    store: Store | None = None,
) -> BaseScheduler:
    """A scheduler holding the refresh job (not started)."""
    tz = settings.refresh.tz
    cls = BlockingScheduler if blocking else BackgroundScheduler
    sched = cls(
        timezone=tz,
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={
            "max_instances": 1,
            "coalesce": True,
            "misfire_grace_time": settings.refresh.misfire_grace_seconds,
        },
    )
    sched.add_job(
        job or scheduled_refresh,
        trigger=parse_cron(settings.refresh.cron, settings.refresh.timezone),
        args=[] if job else [settings],
        id=JOB_ID,
        name="refresh indicators",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=settings.refresh.misfire_grace_seconds,
        replace_existing=True,
    )
    if job is None:
        add_report_job(sched, settings)
    if store is not None:
        host = f"{socket.gethostname()}:{os.getpid()}"

        def record(event: Any) -> None:
            try:
                nrt = next_run_time(sched)
                store.set_next_run(JOB_ID, nrt, host)
                rjob = sched.get_job(REPORT_JOB_ID)
                if rjob is not None:
                    store.set_next_run(REPORT_JOB_ID, getattr(rjob, "next_run_time", None), host)
                if event.code == EVENT_SCHEDULER_STARTED:
                    log.info("refresh scheduled (%s, %s), next run %s", settings.refresh.cron, tz, nrt)
            except Exception as e:
                log.warning("could not record the next run time: %s", one_line(e))

        sched.add_listener(record, _EVENTS)
    return sched


def next_run_time(sched: BaseScheduler) -> datetime | None:
    """When the refresh job runs next (aware, scheduler time zone), or None."""
    job = sched.get_job(JOB_ID)
    if job is None:
        return None
    nrt = getattr(job, "next_run_time", None)
    if nrt is None and not sched.running:  # not started yet: what the trigger says
        nrt = job.trigger.get_next_fire_time(None, datetime.now(sched.timezone))
    return nrt


# -- one scheduling process per store ------------------------------------------


def lock_path(settings: Settings) -> Path:
    digest = hashlib.sha1(settings.store_url.encode()).hexdigest()[:12]
    return settings.data_dir / f"scheduler-{digest}.lock"


def acquire_lock(settings: Settings) -> IO[str] | None:
    """An exclusive, non-blocking lock on the store's scheduler lock file; None
    when another scheduler (in this or another process) holds it."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no cross-process guard
        return open(os.devnull, "w")
    path = lock_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+")  # noqa: SIM115 - held for the scheduler's lifetime
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        return None
    fh.seek(0)
    fh.truncate()
    fh.write(f"{socket.gethostname()} {os.getpid()}\n")
    fh.flush()
    return fh


class SchedulerBusy(Exception):
    """Another process already runs the schedule for this store."""


def start_in_app(settings: Settings, store: Store | None = None) -> BaseScheduler | None:
    """Start the background schedule for the web app unless another
    scheduler runs for this store; returns it, or None. (The caller checks
    ``refresh.in_app``.)"""
    lock = acquire_lock(settings)
    if lock is None:
        log.info("the refresh schedule already runs elsewhere (%s); not scheduling here", lock_path(settings))
        return None
    sched = build_scheduler(settings, store=store)
    sched.start()
    sched._cockpit_lock = lock  # released with the scheduler

    def stop() -> None:
        stop_scheduler(sched)

    atexit.register(stop)
    return sched


def stop_scheduler(sched: BaseScheduler, wait: bool = False) -> None:
    if sched.running:
        sched.shutdown(wait=wait)
    lock = getattr(sched, "_cockpit_lock", None)
    if lock is not None and not lock.closed:
        lock.close()


def run_worker(settings: Settings, store: Store | None = None) -> None:
    """Run the schedule in the foreground until interrupted (`python -m cockpit worker`)."""
    lock = acquire_lock(settings)
    if lock is None:
        raise SchedulerBusy(
            f"another process already runs the refresh schedule for this store (lock {lock_path(settings)})"
        )
    sched = build_scheduler(settings, blocking=True, store=store)
    sched._cockpit_lock = lock
    log.info("worker: refresh on %r (%s); Ctrl-C stops", settings.refresh.cron, settings.refresh.timezone)
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        stop_scheduler(sched)
