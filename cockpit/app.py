"""The application factory: ``create_app(settings)`` -> a Dash app whose Flask
server is ``app.server``. Building it does the work; importing this module
does none."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html
from flask import Flask, jsonify, request

from cockpit import ROOT, files, outage
from cockpit.config import Settings, load_settings
from cockpit.extensions import cache, compress
from cockpit.store import Store
from pages import ids

log = logging.getLogger(__name__)

TITLE = "领导驾驶舱"

# Bootstrap 5's CSS, vendored from its npm package (assets/vendor/, never a CDN). Dash
# would load a sub-folder's CSS after assets/*.css; it must come first so that the
# cockpit's own rules win, so the folder is left out of the asset walk and linked
# here, ahead of every other stylesheet. The version busts the browser cache.
BOOTSTRAP_VERSION = "5.3.9"
BOOTSTRAP_CSS = f"/assets/vendor/bootstrap.min.css?v={BOOTSTRAP_VERSION}"


@dataclass
class CockpitContext:
    """What the service layer needs, kept on ``server.extensions["cockpit"]``."""

    settings: Settings
    store: Store
    catalog: Any  # metrics.catalog.Catalog, or None while it is not available
    scheduler: Any = None  # the in-app BackgroundScheduler, when this process schedules
    accounts: Any = None  # cockpit.auth.accounts.Accounts, bound by cockpit.auth.web.init_app
    render: Any = None  # (token, Identity) of a private renderer's app, else None
    standby_stop: Any = None  # threading.Event: stop waiting to take over the schedule
    seen_snapshot: int | None = None  # the current snapshot this process last saw (service layer)

    def next_run_time(self) -> datetime | None:
        if self.scheduler is not None:
            from cockpit.scheduler import next_run_time

            return next_run_time(self.scheduler)
        try:
            return self.store.next_run()  # written by whichever process schedules
        except Exception:
            return None


def _load_catalog(settings: Settings):
    try:
        from metrics.catalog import load_catalog
    except ImportError:
        return None
    return load_catalog(settings.thresholds)  # targets and thresholds from config


NAV_LINKS = (
    ("nav_wall", "/"),
    ("nav_phone", "/m"),
    ("nav_departments", "/departments"),
    ("nav_alerts", "/alerts"),
    ("nav_catalog", "/catalog"),
    ("nav_status", "/status"),
    ("nav_approvals", "/approvals"),
    ("nav_internships", "/internships"),
    ("nav_reports", "/reports"),
    ("nav_admin", "/admin"),
)


def _nav(search: str) -> list:
    """The navigation bar's content in the page's language, carrying the query string:
    the brand, a toggler, and folded into a menu on a narrow screen (Bootstrap's
    navbar collapse below its lg breakpoint, so on every phone) the pages the
    signed-in identity may open, then who is signed in."""
    from urllib.parse import parse_qs

    from cockpit import auth
    from cockpit.i18n import t

    query = {k: v[-1] for k, v in parse_qs((search or "").lstrip("?")).items()}
    lang = "en" if query.get("lang") == "en" else "zh"
    qs = search or ""
    ident = auth.current_identity()
    if ident is None:
        return []
    links = []
    for key, href in NAV_LINKS:
        if not ident.may_open(href):
            continue
        links.append(dbc.NavItem(dbc.NavLink(t(key, lang), href=href + qs, className="nav-link")))
    toggler = dbc.NavbarToggler(
        [
            html.Span(className="navbar-toggler-icon"),
            html.Span(t("nav_menu", lang), className="visually-hidden"),
        ],
        id=ids.NAV_TOGGLER,
        n_clicks=0,
    )
    menu = dbc.Collapse(
        [dbc.Nav(links, navbar=True, className="nav-links"), _user_box(ident, lang)],
        id=ids.NAV_MENU,
        is_open=False,
        navbar=True,
    )
    return [
        dbc.Container(
            [dbc.NavbarBrand(t("app_title", lang), className="brand"), toggler, menu],
            fluid=True,
            className="topbar-inner",
        )
    ]


def _user_box(ident, lang: str) -> html.Div:
    """Who is signed in and the sign-out form; the demo's "no sign-in" badge."""
    from cockpit import auth
    from cockpit.i18n import t

    if ident.kind == "demo":
        return html.Div(html.Span(t("demo_badge", lang), className="demo-badge"), className="nav-user")
    parts: list = [html.Span(ident.display or ident.name, className="nav-user-name")]
    if ident.kind == "user":
        parts.append(
            html.Form(
                [
                    dcc.Input(type="hidden", name="csrf", value=auth.csrf_token()),
                    html.Button(t("sign_out", lang), type="submit"),
                ],
                method="POST",
                action="/logout",
            )
        )
    return html.Div(parts, className="nav-user")


def _shell() -> html.Div:
    """The frame around every page: location, the snapshot poll, rotation, the stale
    banner and the navigation (hidden with ?kiosk=1). Built per page load, so the
    stores start from the current snapshot and never trigger a first redraw."""
    from cockpit import auth, service
    from cockpit.i18n import t

    screen = service.screen_settings()
    ident = auth.current_identity()
    scope = ident.scope() if ident is not None else None
    if ident is not None and ident.kind == "wall" and len(ident.wall_paths) > 1:
        rotation = list(ident.wall_paths)  # a wall cycles its own screens
    else:
        rotation = service.rotation_paths(scope) if scope is not None else []
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh="callback-nav"),
            dcc.Store(id=ids.SNAPSHOT, data=service.current_snapshot_id()),
            dcc.Store(
                id=ids.POLL_STATE,
                data={
                    "fails": 0,
                    "limit": screen["reload_after_failures"],
                    "offline": {"zh": t("offline", "zh"), "en": t("offline", "en")},
                },
            ),
            dcc.Store(id=ids.ROTATE_ORDER, data=rotation),
            dcc.Interval(id=ids.POLL, interval=screen["poll_seconds"] * 1000),
            dcc.Interval(id=ids.ROTATE, interval=60_000, disabled=True),
            dbc.Navbar(id=ids.NAV, className="topbar", color="var(--brand)", dark=True, expand="lg"),
            html.Div(id=ids.STALE_BANNER, className="stale-banner", role="alert"),
            html.Main(dash.page_container, className="content"),
        ],
        className="cockpit",
    )


def _register_shell_callbacks(app: Dash) -> None:
    """The shell's callbacks, on this app (not the global list): pages come and go,
    the shell stays. The poll and the rotation run in the browser (assets/wall.js)."""

    @app.callback(Output(ids.NAV, "children"), Output(ids.NAV, "className"), Input(ids.URL, "search"))
    def nav(search):
        kiosk = "kiosk=1" in (search or "")
        return _nav(search), "topbar hidden" if kiosk else "topbar"

    app.clientside_callback(
        ClientsideFunction("wall", "menu"),
        Output(ids.NAV_MENU, "is_open"),
        Input(ids.NAV_TOGGLER, "n_clicks"),
        Input(ids.URL, "pathname"),
        State(ids.NAV_MENU, "is_open"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("wall", "poll"),
        Output(ids.SNAPSHOT, "data"),
        Output(ids.STALE_BANNER, "children"),
        Output(ids.STALE_BANNER, "className"),
        Output(ids.POLL_STATE, "data"),
        Input(ids.POLL, "n_intervals"),
        State(ids.SNAPSHOT, "data"),
        State(ids.POLL_STATE, "data"),
        State(ids.URL, "search"),
    )
    app.clientside_callback(
        ClientsideFunction("wall", "rotateSetup"),
        Output(ids.ROTATE, "interval"),
        Output(ids.ROTATE, "disabled"),
        Input(ids.URL, "search"),
    )
    app.clientside_callback(
        ClientsideFunction("wall", "rotate"),
        Output(ids.URL, "pathname", allow_duplicate=True),
        Input(ids.ROTATE, "n_intervals"),
        State(ids.URL, "pathname"),
        State(ids.ROTATE_ORDER, "data"),
        prevent_initial_call=True,
    )


def create_app(settings: Settings | None = None, *, schedule: bool | None = None, render=None) -> Dash:
    """Build the Dash app (Flask server, cache, access control, pages, and the in-app
    refresh schedule when ``refresh.in_app`` is true; ``schedule`` overrides that).
    ``render``: an Identity for a private renderer's copy (reports, exports), which
    accepts only the renderer's random token (cockpit/auth/web.py)."""
    import os

    from cockpit.auth import web as auth_web

    settings = settings or load_settings()
    server = Flask("cockpit", root_path=str(ROOT), static_folder=None)
    server.config["COCKPIT_SETTINGS"] = settings
    cache.init_app(server, config=dict(settings.cache))
    compress.init_app(server)
    # Rate limits (the sign-in form): one Limiter per app, so that two apps in one
    # process never share limits; the counters live in Redis when COCKPIT_REDIS_URL
    # is set (shared by every worker), else in this process. Keyed by the client's address
    # as the trusted proxy saw it (behind nginx every peer is nginx).
    from flask_limiter import Limiter

    redis_url = os.environ.get("COCKPIT_REDIS_URL", "").strip()
    server.extensions["cockpit_limiter"] = Limiter(
        auth_web.client_address, app=server, storage_uri=redis_url or "memory://", headers_enabled=False
    )

    store = Store(settings.store_url)
    store.abandon_stale(timedelta(minutes=settings.refresh.max_duration_minutes))
    ctx = CockpitContext(settings=settings, store=store, catalog=_load_catalog(settings))
    server.extensions["cockpit"] = ctx
    auth_web.init_app(server, ctx, render=render)
    if settings.auth.mode == "oidc" and render is None:
        from cockpit.auth import oidc

        oidc.init_app(server, settings)

    # Dash's name "app" (the top-level app.py) makes the project root its root,
    # so pages load as modules pages.<name>.
    app = Dash(
        "app",
        server=server,
        use_pages=True,
        pages_folder=str(ROOT / "pages"),
        assets_folder=str(ROOT / "assets"),
        serve_locally=True,
        suppress_callback_exceptions=True,
        title=TITLE,
        update_title=None,
        external_scripts=[],
        external_stylesheets=[BOOTSTRAP_CSS],
        assets_path_ignore=["vendor"],
    )
    app.index_string = app.index_string.replace("<html>", '<html lang="zh-CN">', 1)
    app.layout = _shell
    server.extensions["cockpit_dash"] = app  # the CSP hashes its inline renderer script
    # A wall never shows Dash's error pop-ups or dev tools, whatever the environment says.
    app.enable_dev_tools(debug=False, dev_tools_ui=False, dev_tools_props_check=False)
    _register_shell_callbacks(app)
    files.register(server)  # /reports/files/<path>, /export/view.<fmt>
    outage.register(server)  # the store unreachable: 503 and one log line (cockpit/outage.py)

    @server.after_request
    def cache_fingerprinted_assets(response):
        """Dash links every file of assets/ with its modification time (?m=…) and the
        vendored Bootstrap with its version (?v=…): a changed file is a new URL, so the
        browser may keep these for good (a phone opening /m again fetches none of them).
        Un-versioned asset URLs (the sign-in pages' links) keep the default revalidation."""
        if (
            response.status_code == 200
            and request.path.startswith("/assets/")
            and (request.args.get("m") or request.args.get("v"))
        ):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response

    @server.get("/api/snapshot")
    def snapshot_poll():
        """What the wall's poll reads: the current snapshot id and the stale banner text."""
        from cockpit import auth, service
        from cockpit.i18n import t

        # Only the snapshot id and the banner, nothing of a department: every
        # signed-in identity polls it (an admin's /admin page too).
        ident = auth.current_identity()
        scope = ident.scope() if ident is not None else None
        fresh = service.freshness(scope or service.Scope.whole_school())
        lang = "en" if request.args.get("lang") == "en" else "zh"
        last = fresh.get("last_attempt") or {}
        banner = []
        if last.get("status") == "failed":
            banner.append(t("refresh_failed", lang))
        if fresh["stale"]:
            banner.append(t("stale", lang))
        return jsonify(snapshot_id=fresh["snapshot_id"], banner=" ".join(banner))

    @server.get("/healthz")
    def healthz():
        sid = ctx.store.current_id()
        snap = ctx.store.get(sid) if sid is not None else None
        return jsonify(
            ok=True,
            snapshot_id=sid,
            as_of=snap.as_of.isoformat() if snap else None,
            status=snap.status if snap else None,
        )

    if settings.refresh.in_app if schedule is None else schedule:
        import threading

        from cockpit.scheduler import start_in_app

        ctx.standby_stop = threading.Event()  # ends a standby's waiting (tests, shutdown)
        ctx.scheduler = start_in_app(settings, store, ctx.standby_stop)
    return app
