"""The app, pinned to one snapshot, served on a free loopback port: what the weekly
report job's browser screenshots (``python -m cockpit.render_server``).

Why a process of its own: the report job (cockpit/reports/job.py) must not build
the Dash app itself (no import circle between the reports and the app, and a
job on the scheduler's thread cannot register Dash pages); it starts this
module as a subprocess, reads the port it prints, points its browser at it with
a render token (cockpit.auth.web), and stops it when the batch is done.

Input on stdin: a pickled ``(Settings, snapshot_id)`` — the job's own settings,
so both sides agree on the store, the config and the secret key. The wall
screens' snapshot poll is slowed down so no stale-data banner or redraw happens
while a screenshot is taken. Output: the port, one line on stdout.
"""

from __future__ import annotations

import dataclasses
import logging
import pickle
import sys
import threading

from cockpit.store import Store


class PinnedStore(Store):
    """The store as a report sees it: the 'current' snapshot is the week's snapshot."""

    def __init__(self, base: Store, snapshot_id: int) -> None:
        super().__init__(base.url, engine=base.engine, create=False)
        self.pinned_id = snapshot_id

    def current_id(self) -> int | None:
        return self.pinned_id


def _warm_screens(app) -> None:
    """Build the wall screens' layouts (figures cached per snapshot) on a thread while
    the job reads its figures and draws its charts: each screenshot then finds its
    figures ready instead of waiting for the server to build them."""
    import dash
    from flask import g

    from cockpit import service
    from cockpit.auth.identity import Identity

    pages = {p.get("path_template") or p["path"]: p for p in dash.page_registry.values()}
    ident = Identity(name="weekly-report", roles=frozenset({"leader"}), source="render")
    try:
        with app.server.test_request_context("/"):
            codes = [d["code"] for d in service.academic_departments(ident.scope())]
    except Exception:  # only a head start
        logging.getLogger(__name__).debug("warming: no departments", exc_info=True)
        codes = []
    for code in [None, *codes]:
        page = pages.get("/department/<code>" if code else "/")
        if page is None:
            return
        path = f"/department/{code}" if code else "/"
        try:
            with app.server.test_request_context(path + "?kiosk=1"):
                g.identity = ident
                page["layout"](**({"code": code} if code else {}), kiosk="1")
        except Exception:  # only a head start: the screenshot builds it anyway
            logging.getLogger(__name__).debug("warming %s failed", path, exc_info=True)


def main() -> int:
    from werkzeug.serving import make_server

    from cockpit.app import create_app

    settings, snapshot_id = pickle.loads(sys.stdin.buffer.read())
    settings = dataclasses.replace(
        settings,
        screen=dataclasses.replace(settings.screen, poll_seconds=86_400),
        server=dataclasses.replace(settings.server, host="127.0.0.1"),
    )
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = create_app(settings, schedule=False)
    ctx = app.server.extensions["cockpit"]
    if snapshot_id is not None:
        ctx.store = PinnedStore(ctx.store, int(snapshot_id))
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    print(server.server_port, flush=True)
    threading.Thread(target=_warm_screens, args=(app,), name="warm-screens", daemon=True).start()
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
