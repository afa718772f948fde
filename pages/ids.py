"""Every Dash component id, in one place.

Pages import ids from here instead of typing strings, so a renamed id breaks
at import, not silently at run time. Repeated widgets (tiles, bars) use
pattern-matching ids: dicts built by the helpers below.

Sections: SHELL (cockpit/app.py), WALL (pages/school.py, pages/department.py),
DESK (pages/indicator.py, pages/approvals.py, pages/internships.py,
pages/catalog.py, pages/status.py), PHONE (pages/phone.py), REPORTS (pages/reports.py,
pages/_export.py). Add an id to
the section of the page that owns it.
"""

from __future__ import annotations

# -- SHELL: the app frame around every page ---------------------------------
URL = "url"
SNAPSHOT = "snapshot-id"  # dcc.Store: the current snapshot id, changes when a new one lands
POLL = "snapshot-poll"  # dcc.Interval: the light poll of the current snapshot id
ROTATE = "kiosk-rotate"  # dcc.Interval: ?rotate=SECONDS
STALE_BANNER = "stale-banner"
NAV = "nav"  # dbc.Navbar: its content is the nav callback's (cockpit/app.py)
NAV_TOGGLER = "nav-toggler"  # dbc.NavbarToggler: opens the folded menu on a narrow screen
NAV_MENU = "nav-menu"  # dbc.Collapse: the links and the user box
POLL_STATE = "snapshot-poll-state"  # dcc.Store: consecutive failed polls, for the self-reload
ROTATE_ORDER = "kiosk-rotate-order"  # dcc.Store: the paths ?rotate= cycles
SCREEN = "screen-config"  # dcc.Store: canvas width/height for assets/wall.js


def tile(metric: str) -> dict[str, str]:
    """A KPI tile (pattern-matching id): click it to drill down to the indicator."""
    return {"type": "kpi-tile", "metric": metric}


# -- WALL: school and department big screens --------------------------------
# Both screens share one redraw callback (pages/school.py), so their parts are
# pattern-matching ids: a screen that is not shown simply matches nothing.
CANVAS = "wall-canvas"
CLOCK = "wall-clock"
SCOPE_TYPE = "wall-scope"  # dcc.Store {"type": SCOPE_TYPE, "screen": ...}: the department shown ("" = school)


WALL_PHONE_HOME = "wall-phone-home"  # the link to /m a wall screen offers on a narrow viewport (not kiosk)


def wall_scope(screen: str) -> dict[str, str]:
    """The dcc.Store holding the department code a wall screen shows ("" for the school)."""
    return {"type": SCOPE_TYPE, "screen": screen}


def panel(name: str) -> dict[str, str]:
    """A wall figure (dcc.Graph), redrawn when a new snapshot lands."""
    return {"type": "wall-figure", "panel": name}


def wall_text(part: str) -> dict[str, str]:
    """A wall text part (as-of line, ticker, notes), redrawn with the figures."""
    return {"type": "wall-text", "part": part}


# -- DESK: drill-down, catalog, status ---------------------------------------
DESK_LOCATION = "desk-location"  # dcc.Location (callback-nav): selectors write the query string
DESK_CRUMBS = "desk-crumbs"  # the breadcrumb 全校 › 学院 › 专业 › item
DESK_HISTORY = "desk-history"  # the note that a past snapshot is shown
DESK_DEPARTMENT = "desk-department"  # dcc.Dropdown: the department filter (within the scope)
DESK_AS_OF = "desk-as-of"  # dcc.DatePickerSingle: the snapshot date
DEPT_GRID = "departments-grid"  # AgGrid: /departments
ALERTS_LOCATION = "alerts-location"  # dcc.Location (callback-nav): /alerts filters in the URL
ALERTS_LEVEL = "alerts-level"
ALERTS_METRIC = "alerts-metric"
ALERTS_GRID = "alerts-grid"
ALERTS_CSV_BUTTON = "alerts-csv-button"
ALERTS_CSV = "alerts-csv"
IND_MAJOR_COHORTS = "indicator-major-cohorts"  # a major's figures by cohort
IND_PERIOD = "indicator-period"  # dcc.Dropdown: the period shown
IND_GRAIN = "indicator-grain"  # dcc.RadioItems: the breakdown grain
IND_TABLE = "indicator-table"  # DataTable: the breakdown
IND_TREND = "indicator-trend"  # dcc.Graph: the value over the snapshots
IND_SERIES = "indicator-series"  # dcc.Graph: 12 months / 13 weeks inside the current snapshot
IND_CSV_BUTTON = "indicator-csv-button"
IND_CSV = "indicator-csv"  # dcc.Download
APPR_PROCESSES = "approvals-processes"  # the process list
APPR_STEPS = "approvals-steps"  # one process's steps
APPR_STEP_TREND = "approvals-step-trend"  # dcc.Graph: step P50 over 12 months
APPR_PENDING = "approvals-pending"  # the oldest pending instances
APPR_LOCATION = "approvals-location"  # dcc.Location (callback-nav): the filter bar writes the query
APPR_STEP_PENDING = "approvals-step-pending"  # the instances pending at one step (?process=&step=)
APPR_PENDING_GRID = "approvals-pending-grid"  # AgGrid: those instances
APPR_CSV_BUTTON = "approvals-csv-button"
APPR_CSV = "approvals-csv"  # dcc.Download: the pending instances at the step
HOSTS_LOCATION = "internship-hosts-location"  # dcc.Location (callback-nav) of /internships
HOSTS_PANEL = "internship-hosts"  # /internships: the host list panel
HOSTS_GRID = "internship-hosts-grid"  # AgGrid: the host enterprises
HOSTS_CSV_BUTTON = "internship-hosts-csv-button"
HOSTS_CSV = "internship-hosts-csv"  # dcc.Download
CATALOG_LIST = "catalog-list"
STATUS_SNAPSHOTS = "status-snapshots"
STATUS_QUALITY = "status-quality"
STATUS_SOURCES = "status-sources"
STATUS_FAILED = "status-failed"  # the note when the last refresh failed


# -- PHONE: the phone home /m (pages/phone.py) ---------------------------------
PHONE_ALERTS = "phone-alerts"  # the alert count of the scope
PHONE_CARDS = "phone-cards"  # the KPI cards, each a link to its indicator ([data-metric])


# -- REPORTS: the weekly-report archive, export buttons ----------------------
REPORTS_ARCHIVE = "reports-archive"  # the archive, one section per ISO week
REPORTS_EMPTY = "reports-empty"  # the message when the archive is empty
EXPORT_BUTTONS = "export-buttons"  # the PNG/PDF export links of a screen (not in kiosk view)
REPORTS_GENERATE = "reports-generate"  # admins: the panel that makes a week's reports
REPORTS_WEEK = "reports-week"  # its ISO week dropdown
REPORTS_START = "reports-start"  # its button
REPORTS_RUN = "reports-run"  # dcc.Store: the run under way (its id)
REPORTS_POLL = "reports-poll"  # dcc.Interval: polls the run's progress
REPORTS_PROGRESS = "reports-progress"  # the run's progress lines


# -- ADMIN: users, walls, audit (pages/admin.py) --------------------------------
ADMIN_USERS = "admin-users"  # the users table
ADMIN_USER_FORM = "admin-user-form"
ADMIN_USER_NAME = "admin-user-name"
ADMIN_USER_ROLE = "admin-user-role"  # dcc.Checklist of roles
ADMIN_USER_DEPTS = "admin-user-departments"  # dcc.Input: comma-separated codes
ADMIN_USER_FAMILIES = "admin-user-families"  # dcc.Checklist of families
ADMIN_USER_PASSWORD = "admin-user-password"
ADMIN_USER_SAVE = "admin-user-save"
ADMIN_USER_REMOVE = "admin-user-remove"
ADMIN_USER_RESULT = "admin-user-result"
ADMIN_WALLS = "admin-walls"
ADMIN_WALL_NAME = "admin-wall-name"
ADMIN_WALL_PATHS = "admin-wall-paths"  # dcc.Input: paths separated by spaces
ADMIN_WALL_ROTATE = "admin-wall-rotate"
ADMIN_WALL_ADD = "admin-wall-add"
ADMIN_WALL_REVOKE = "admin-wall-revoke"
ADMIN_WALL_RESULT = "admin-wall-result"
ADMIN_AUDIT = "admin-audit"
ADMIN_AUDIT_CSV_BUTTON = "admin-audit-csv-button"
ADMIN_AUDIT_CSV = "admin-audit-csv"  # dcc.Download
