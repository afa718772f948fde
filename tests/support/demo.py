"""The demo school's snapshot store for tests: a scale-0.1 demo source (seed 2026,
today 2026-11-21, deterministic), the current snapshot, six week ends before it and
the same day last season. Built once per test session by the ``demo_store``
fixture (tests/conftest.py); also usable outside pytest."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

TODAY = date(2026, 11, 21)
WEEK_ENDS = 6
LAST_SEASON = date(2025, 11, 22)

# -- data ------------------------------------------------------------------------


@dataclass
class DemoStore:
    dir: Path
    source_url: str
    store_url: str
    settings: Any  # cockpit.config.Settings
    store: Any  # cockpit.store.Store
    snapshot_id: int
    today: date = TODAY
    as_of_dates: list[date] = field(default_factory=list)


def demo_as_of_dates(today: date = TODAY, weeks: int = WEEK_ENDS) -> list[date]:
    """Last season's same day, ``weeks`` week ends (Sundays) before ``today``, then ``today``."""
    last_sunday = today - timedelta(days=(today.weekday() + 1) % 7 or 7)
    ends = [last_sunday - timedelta(weeks=k) for k in reversed(range(weeks))]
    return [LAST_SEASON, *ends, today]


def build_demo_store(directory: Path, scale: float = 0.1) -> DemoStore:
    """Generate the demo source and compute its snapshots into ``directory``."""
    from cockpit.config import load_settings
    from cockpit.demo import generate
    from cockpit.refresh import run_refresh
    from cockpit.store import Store

    source_url = f"sqlite:///{directory / 'source.sqlite'}"
    store_url = f"sqlite:///{directory / 'store.sqlite'}"
    generate(source_url, scale=scale, seed=2026, today=TODAY)
    # A hermetic environment: no COCKPIT_CONFIG / COCKPIT_REDIS_URL of the caller.
    settings = load_settings(env={"COCKPIT_SOURCE_URL": source_url, "COCKPIT_STORE_URL": store_url})
    store = Store(settings.store_url)
    dates = demo_as_of_dates()
    for d in dates:  # the current one last
        run_refresh(settings, d, trigger="backfill" if d != TODAY else "cli", store=store)
    sid = store.current_id()
    snap = store.get(sid)
    assert snap is not None and snap.as_of == TODAY, f"current snapshot is {snap}"
    return DemoStore(
        dir=directory,
        source_url=source_url,
        store_url=store_url,
        settings=settings,
        store=store,
        snapshot_id=sid,
        as_of_dates=dates,
    )
