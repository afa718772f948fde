"""What fills in after the first screen (`make run`): the history backfill, then last
week's reports, in a background process (`python -m cockpit history`, started by
`python -m cockpit serve --history`).

- Never blocks serving: its own process, started after the server.
- Resumable and idempotent: the backfill skips week ends that already have a
  successful snapshot; the reports are skipped when the archive already holds that
  week's. A restart continues where the last run stopped.
- One at a time: the whole run holds the store's "history" lease (several web
  workers each starting one: the others stand aside), and every week end takes its
  turn on the "refresh" lease (cockpit.refresh.refresh_turn), as the scheduled
  refresh does, so the two never compute at the same time.
- Progress goes to the store (table background_task: "backfill", "reports"), so
  the status page of any web worker shows it.
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
import sys
from datetime import date

from cockpit.config import Settings
from cockpit.refresh import RefreshError, backfill, one_line, open_store
from cockpit.store import Store

log = logging.getLogger(__name__)

HISTORY_LEASE = "history"
BACKFILL = "backfill"
REPORTS = "reports"


def _backfill(settings: Settings, store: Store) -> bool:
    """The history; True when complete."""
    weeks = settings.refresh.backfill_weeks

    def progress(done: int, total: int, as_of: date) -> None:
        store.set_task(BACKFILL, "running" if done < total else "done", done, total, as_of.isoformat())
        log.info("history: backfill %d/%d (as of %s)", done, total, as_of)

    store.set_task(BACKFILL, "running", 0, None, "")
    try:
        ids = backfill(
            settings,
            weeks,
            progress=progress,
            store=store,
            last_season_weeks=settings.refresh.backfill_last_season_weeks,
            exclusive=True,
        )
    except RefreshError as e:
        store.set_task(BACKFILL, "failed", None, None, str(e))
        log.error("history: backfill stopped: %s", e)
        return False
    if not ids:  # nothing was left to do: say so rather than keep "running"
        have = len(store.successful_as_of_dates())
        store.set_task(BACKFILL, "done", have, have, "")
    return True


def _report_week(settings: Settings) -> str:
    from cockpit.reports.job import last_full_week

    return last_full_week(settings.today())


def _reports(settings: Settings, store: Store) -> bool:
    """Last full week's reports through the CLI (`python -m cockpit report`), unless the
    archive already has them; True when they are there."""
    week = _report_week(settings)
    if store.list_reports(limit=1, week=week):
        store.set_task(REPORTS, "done", None, None, week)
        return True
    store.set_task(REPORTS, "running", None, None, week)
    log.info("history: the reports of %s", week)
    proc = subprocess.run(
        [sys.executable, "-m", "cockpit", "report", "--week", week],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        msg = lines[-1] if lines else f"exit {proc.returncode}"
        store.set_task(REPORTS, "failed", None, None, f"{week}: {msg}")
        log.error("history: reports of %s failed: %s", week, msg)
        return False
    files = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    store.set_task(REPORTS, "done", len(files), len(files), week)
    return True


def fill_history(settings: Settings, store: Store | None = None, reports: bool = True) -> bool:
    """The backfill, then the reports. False when another process is at it (it holds the
    "history" lease) or a step failed (recorded in the store)."""
    from cockpit.lease import Lease

    store = store or open_store(settings)
    lease = Lease(store, HISTORY_LEASE, settings.refresh.lease_seconds)
    if not lease.acquire():
        log.info("history: another process fills the history")
        return False
    lease.keep(lambda: log.error("history: lease lost"))
    step = BACKFILL
    try:
        ok = _backfill(settings, store)
        if ok and reports and settings.reports is not None:
            step = REPORTS
            ok = _reports(settings, store)
        return ok
    except Exception as e:  # a background job: record it, one line, never a traceback
        log.error("history: %s: %s", step, one_line(e))
        with contextlib.suppress(Exception):
            store.set_task(step, "failed", None, None, one_line(e))
        return False
    finally:
        lease.close()
