"""Every Dash component id, in one place.

Pages import ids from here instead of typing strings, so a renamed id breaks
at import, not silently at run time. Repeated widgets (tiles, bars) use
pattern-matching ids: dicts built by the helpers below.

Sections: SHELL (cockpit/app.py), WALL (pages/school.py, pages/department.py),
DESK (pages/indicator.py, pages/approvals.py, pages/catalog.py,
pages/status.py). Add an id to the section of the page that owns it.
"""

from __future__ import annotations

# -- SHELL: the app frame around every page ---------------------------------
URL = "url"
SNAPSHOT = "snapshot-id"  # dcc.Store: the current snapshot id, changes when a new one lands
POLL = "snapshot-poll"  # dcc.Interval: the light poll of the current snapshot id
ROTATE = "kiosk-rotate"  # dcc.Interval: ?rotate=SECONDS
STALE_BANNER = "stale-banner"
NAV = "nav"


def tile(metric: str) -> dict[str, str]:
    """A KPI tile (pattern-matching id): click it to drill down to the indicator."""
    return {"type": "kpi-tile", "metric": metric}


# -- WALL: school and department big screens --------------------------------

# -- DESK: drill-down, catalog, status ---------------------------------------
