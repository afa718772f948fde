"""The snapshot store briefly unreachable (a database restart, a network cut): every
request that needs it answers 503 with one line, never a traceback, and the log says
so once per outage and once when the store answers again.

The wall's poll (assets/wall.js) counts a failed answer like a lost connection: it
shows the "connection lost, retrying" banner over the last figures and, once the
store answers again, clears it (reloading the page after several failures). The
store's engine pings a pooled connection before use (cockpit/store.py), so the first
request after the outage gets a fresh one.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask, jsonify, request
from sqlalchemy.exc import DBAPIError

from cockpit.refresh import one_line

log = logging.getLogger(__name__)


class _Outage:
    """Whether this process has seen the store fail since it last answered."""

    def __init__(self) -> None:
        self.down = False
        self.lock = threading.Lock()


def register(server: Flask) -> None:
    """The 503 handler for store errors and the "back again" log line."""
    state = _Outage()
    server.extensions["cockpit_outage"] = state

    @server.errorhandler(DBAPIError)
    def store_unreachable(e: DBAPIError) -> Any:
        with state.lock:
            if not state.down:
                state.down = True
                log.warning("snapshot store unreachable: %s", one_line(e))
        return jsonify(ok=False, error="the snapshot store is unreachable; retrying"), 503

    @server.after_request
    def store_back(response: Any) -> Any:
        # the polls read the store on every call: their success means it is back
        if state.down and response.status_code < 500 and request.path in ("/api/snapshot", "/healthz"):
            with state.lock:
                if state.down:
                    state.down = False
                    log.warning("snapshot store answering again")
        return response
