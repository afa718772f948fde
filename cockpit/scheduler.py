"""The refresh schedule (APScheduler 3.11).

One cron job, ``refresh``, from config ``refresh.cron`` in ``refresh.timezone``:
never two runs at once (max_instances=1), missed runs folded into one
(coalesce=True), a run late by at most ``refresh.misfire_grace_seconds``
still runs. Inside the web app a BackgroundScheduler runs it (when
``refresh.in_app`` is true); ``python -m cockpit worker`` runs it alone with a
BlockingScheduler. Only one process per store schedules, on any host: the one
holding the store's "schedule" lease (cockpit/lease.py); any other (a second
worker, another web process, another host) stands by and takes over when the
holder's lease expires — and runs at once a scheduled refresh its predecessor
left unfinished (``interrupted_schedule``).

The next run time is written to the store (table scheduler_state) after
start and after every run, so the status page shows it whichever process
schedules; ``next_run_time(scheduler)`` gives it from a scheduler object.
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

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
from cockpit.refresh import RefreshError, one_line, open_store, refresh_turn, run_refresh
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
    """The job: one refresh; failures are logged (and recorded in the store), never raised.
    It takes its turn (cockpit.refresh.refresh_turn): a background backfill's week end
    finishes first, never beside it."""
    try:
        store = open_store(settings)
        with refresh_turn(settings, store) as ok:
            if not ok:
                log.warning("scheduled refresh skipped: another refresh held the refresh lease too long")
                return None
            return run_refresh(settings, trigger="schedule", store=store)
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


def add_report_job(sched: BaseScheduler, settings: Settings, lease: Any = None) -> None:
    """The weekly reports next to the refresh (own executor: a long report batch never
    delays a refresh), when config reports.in_app is true."""
    reports = settings.reports
    if reports is None or not reports.in_app:
        return
    if "reports" not in sched._executors:
        sched.add_executor(ThreadPoolExecutor(max_workers=1), alias="reports")
    sched.add_job(
        scheduled_reports if lease is None else _fenced(scheduled_reports, lease),
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
    lease: Any = None,
) -> BaseScheduler:
    """A scheduler holding the refresh job (not started); with ``lease`` every run is
    fenced by it (cockpit/lease.py)."""
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
    refresh_job = job or scheduled_refresh
    catch_up: dict[str, Any] = {}
    if lease is not None:
        refresh_job = _fenced(refresh_job, lease)
        if store is not None and interrupted_schedule(store):
            log.warning("the last scheduled refresh never finished (its process died): running it now")
            catch_up["next_run_time"] = datetime.now(tz)
    sched.add_job(
        refresh_job,
        trigger=parse_cron(settings.refresh.cron, settings.refresh.timezone),
        args=[] if job else [settings],
        **catch_up,
        id=JOB_ID,
        name="refresh indicators",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=settings.refresh.misfire_grace_seconds,
        replace_existing=True,
    )
    if job is None:
        add_report_job(sched, settings, lease)
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


def interrupted_schedule(store: Store) -> bool:
    """Whether the latest scheduled refresh never finished — its process was killed or its
    host died, leaving the row 'running' (or already marked abandoned) — with nothing
    published after it. The process that takes the schedule over runs it at once rather
    than leaving the walls on old figures until the next time of the cron."""
    from cockpit.store import ABANDONED, OK, PARTIAL, RUNNING

    for snap in store.list(limit=20):
        if snap.status in (OK, PARTIAL):
            return False
        if snap.trigger == "schedule":
            return snap.status in (RUNNING, ABANDONED)
    return False


def next_run_time(sched: BaseScheduler) -> datetime | None:
    """When the refresh job runs next (aware, scheduler time zone), or None."""
    job = sched.get_job(JOB_ID)
    if job is None:
        return None
    nrt = getattr(job, "next_run_time", None)
    if nrt is None and not sched.running:  # not started yet: what the trigger says
        nrt = job.trigger.get_next_fire_time(None, datetime.now(sched.timezone))
    return nrt


# -- one scheduling process per store, on any host -----------------------------

LEASE_NAME = "schedule"


def acquire_lock(settings: Settings, store: Store | None = None):
    """The schedule's lease in the store (cockpit/lease.py) when this process can take it
    now, else None (another process, on this or another host, holds it)."""
    from cockpit.lease import Lease

    lease = Lease(store or Store(settings.store_url), LEASE_NAME, settings.refresh.lease_seconds)
    return lease if lease.acquire() else None


class SchedulerBusy(Exception):
    """Another process already runs the schedule for this store."""


def _fenced(job: Callable[..., Any], lease) -> Callable[..., Any]:
    """The job, run only while this process still holds the lease (a holder that stalled
    past its lease must not refresh beside the one that took over)."""

    def run(*args: Any) -> Any:
        if not lease.held():
            log.warning("schedule lease not held by this process: %s skipped", getattr(job, "__name__", job))
            return None
        return job(*args)

    run.__name__ = getattr(job, "__name__", "job")
    return run


def _start_holding(
    settings: Settings, store: Store | None, lease, stop: threading.Event | None = None
) -> BaseScheduler:
    """Start the background scheduler for a lease holder; when the lease is lost, stop it
    and stand by again."""
    sched = build_scheduler(settings, store=store, lease=lease)
    sched.start()
    sched._cockpit_lock = lease

    def lost() -> None:
        stop_scheduler(sched)
        _stand_by(settings, store, stop)

    lease.keep(lost)
    return sched


def _stand_by(
    settings: Settings, store: Store | None, stop: threading.Event | None = None
) -> threading.Thread:
    """A daemon thread that takes the lease when its holder goes away, then schedules;
    ``stop`` ends the waiting (the app shutting down)."""
    stop = stop or threading.Event()

    def wait() -> None:
        interval = max(1.0, settings.refresh.lease_seconds / 3)
        while not stop.is_set():
            try:
                lease = acquire_lock(settings, store)
            except Exception as e:  # the store is down: keep waiting
                log.warning("standby: %s", one_line(e))
                lease = None
            if lease is not None:
                log.info("schedule lease taken over by %s", lease.holder)
                _start_holding(settings, store, lease, stop)
                return
            stop.wait(interval)

    thread = threading.Thread(target=wait, name="schedule-standby", daemon=True)
    thread.start()
    return thread


def start_in_app(
    settings: Settings, store: Store | None = None, standby_stop: threading.Event | None = None
) -> BaseScheduler | None:
    """Start the background schedule for the web app when this process takes the lease;
    returns it, or None — then a standby thread takes over if the holder dies. (The
    caller checks ``refresh.in_app``.)"""
    lease = acquire_lock(settings, store)
    if lease is None:
        log.info("the refresh schedule runs elsewhere; standing by to take over")
        _stand_by(settings, store, standby_stop)
        return None
    sched = _start_holding(settings, store, lease, standby_stop)

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


def run_worker(settings: Settings, store: Store | None = None, *, wait: bool = True) -> None:
    """Run the schedule in the foreground until interrupted (`python -m cockpit worker`).
    Another holder: with ``wait``, stand by until its lease expires, else SchedulerBusy."""
    lease = acquire_lock(settings, store)
    if lease is None and not wait:
        raise SchedulerBusy("another process already runs the refresh schedule for this store")
    while lease is None:
        log.info("worker: another process holds the schedule; standing by")
        time.sleep(max(1.0, settings.refresh.lease_seconds / 3))
        lease = acquire_lock(settings, store)
    sched = build_scheduler(settings, blocking=True, store=store, lease=lease)
    sched._cockpit_lock = lease
    lease.keep(lambda: sched.shutdown(wait=False))  # lost: stop; a restart stands by again
    log.info("worker: refresh on %r (%s); Ctrl-C stops", settings.refresh.cron, settings.refresh.timezone)
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        stop_scheduler(sched)
