"""The application factory: ``create_app(settings)`` -> a Dash app whose Flask
server is ``app.server``. Building it does the work; importing this module
does none."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import dash
from dash import Dash, html
from flask import Flask, jsonify

from cockpit import ROOT
from cockpit.config import Settings, load_settings
from cockpit.extensions import cache
from cockpit.store import Store

log = logging.getLogger(__name__)

TITLE = "领导驾驶舱"


@dataclass
class CockpitContext:
    """What the service layer needs, kept on ``server.extensions["cockpit"]``."""

    settings: Settings
    store: Store
    catalog: Any  # metrics.catalog.Catalog, or None while it is not available
    scheduler: Any = None  # the in-app BackgroundScheduler, when this process schedules

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
    return load_catalog()


def _shell() -> html.Div:
    return html.Div(
        [
            html.Header(
                [html.A(TITLE, href="/", className="brand")],
                className="topbar",
            ),
            html.Main(dash.page_container, className="content"),
        ],
        className="cockpit",
    )


def create_app(settings: Settings | None = None, *, schedule: bool | None = None) -> Dash:
    """Build the Dash app (Flask server, cache, pages, and the in-app refresh
    schedule when ``refresh.in_app`` is true; ``schedule`` overrides that)."""
    settings = settings or load_settings()
    server = Flask("cockpit", root_path=str(ROOT), static_folder=None)
    server.config["COCKPIT_SETTINGS"] = settings
    cache.init_app(server, config=dict(settings.cache))

    store = Store(settings.store_url)
    store.abandon_stale(timedelta(minutes=settings.refresh.max_duration_minutes))
    ctx = CockpitContext(settings=settings, store=store, catalog=_load_catalog(settings))
    server.extensions["cockpit"] = ctx

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
        external_stylesheets=[],
    )
    app.index_string = app.index_string.replace("<html>", '<html lang="zh-CN">', 1)
    app.layout = _shell

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
        from cockpit.scheduler import start_in_app

        ctx.scheduler = start_in_app(settings, store)
    return app
