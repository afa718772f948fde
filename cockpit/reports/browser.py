"""The export buttons' browser: a small pool of warm headless Chromiums that render
a view of the RUNNING app (docs/reports.md, "Export what you see").

Why a pool and not one browser per export: starting Chromium and loading Dash's
bundles costs seconds; a warm browser with the app's assets in its cache renders
a view in about a second. Why bounded: each Chromium costs ~150 MB; at most
``reports.export_concurrency`` exports render at once per process, the others
wait (up to ``reports.export_timeout_seconds``) and then get a clear error.
A browser that fails (crashed, hung, killed) is thrown away and the next export
starts a fresh one, so the pool heals itself.

The browser loads exactly the URL the requester sees (path, query string,
language) from the running app with a render token (cockpit.auth.web
``render_token_cookies``) that carries the requester's own identity; cookies are
wiped before and after every export, so no token outlives its export in the
browser. The pool lives on the Flask app (``server.extensions``), never in a
module global.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from cockpit.readiness import ready_js
from cockpit.reports.render import Renderer, RenderError, _set_viewport

log = logging.getLogger(__name__)

EXTENSION = "cockpit_export_browser"
DESK_WIDTH = 1440  # the desk pages' export width (CSS px); a wall screen keeps its canvas
DESK_MIN_HEIGHT = 900
MAX_HEIGHT = 12_000  # a PNG/PDF page is never taller than this (a long table is cut there)
RENDER_TIMEOUT = 90  # seconds a view may take to be drawn (the first one of a cold app)
MAX_USES = 200  # a browser is recycled after this many exports (memory of a long-lived Chromium)

# The title of what is shown: the page's first heading (language of the view).
TITLE_JS = (
    "var h = document.querySelector('.wall-title, h1');"
    "return h ? h.innerText.replace(/\\s+/g, ' ').trim() : document.title;"
)
# Elements sized in vh (a long grid scrolling in a 70vh card) keep the height they
# have in the desk viewport, so making the window as tall as the page does not
# grow them (and the page with them): the export shows what a reader sees.
FREEZE_VH_JS = (
    "document.querySelectorAll('[style*=\"vh\"]').forEach(function (el) {"
    " el.style.height = el.getBoundingClientRect().height + 'px'; });"
)
HEIGHT_JS = (
    "return Math.ceil(Math.max(document.documentElement.scrollHeight, document.body.scrollHeight,"
    " document.documentElement.getBoundingClientRect().height));"
)


@dataclass(frozen=True)
class ViewFile:
    """One rendered view: the bytes, its format, the page's own title, its size in CSS px."""

    data: bytes
    fmt: str
    title: str
    width: int
    height: int
    seconds: float


class ExportBrowsers:
    """At most ``size`` warm Chromiums, each used by one export at a time."""

    def __init__(self, chromium: str, chromedriver: str, *, size: int = 1, timeout: float = 30) -> None:
        self.chromium = chromium
        self.chromedriver = chromedriver
        self.size = max(1, size)
        self.timeout = timeout
        self._slots = threading.BoundedSemaphore(self.size)
        self._idle: list[tuple[Renderer, int]] = []
        self._lock = threading.Lock()
        self.started = 0  # browsers started so far (a test checks reuse and restart)

    @contextlib.contextmanager
    def browser(self) -> Iterator[Renderer]:
        """A warm browser for one export (waits for a free slot); a browser whose export
        raised is closed, not returned."""
        if not self._slots.acquire(timeout=self.timeout):
            raise RenderError(f"every export browser is busy (waited {self.timeout:.0f} s); try again")
        renderer, uses = None, 0
        try:
            with self._lock:
                if self._idle:
                    renderer, uses = self._idle.pop()
            if renderer is None:
                # The page itself may take longer than the queue wait: a cold cache
                # at a large school builds every figure of the view first.
                renderer = Renderer(
                    self.chromium, self.chromedriver, timeout=max(RENDER_TIMEOUT, self.timeout)
                )
                renderer.driver  # noqa: B018 (start it now: a start failure is one line here)
                self.started += 1
            yield renderer
        except BaseException:
            if renderer is not None:
                _close_quietly(renderer)
                renderer = None
            raise
        finally:
            if renderer is not None:
                if uses + 1 >= MAX_USES:
                    _close_quietly(renderer)
                else:
                    with self._lock:
                        self._idle.append((renderer, uses + 1))
            self._slots.release()

    def close(self) -> None:
        """Quit every idle browser (at exit, in tests)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for renderer, _ in idle:
            _close_quietly(renderer)


def _close_quietly(renderer: Renderer) -> None:
    try:
        renderer.close()
    except Exception:  # a dead browser cannot be quit politely
        log.debug("closing an export browser failed", exc_info=True)


def pool_for(server, settings) -> ExportBrowsers:
    """The app's pool, made on first use (a lock-free check-then-set is enough: a
    second pool made by a race only starts no browser until used, and is dropped)."""
    pool = server.extensions.get(EXTENSION)
    if pool is None:
        r = settings.reports
        pool = ExportBrowsers(
            r.chromium, r.chromedriver, size=r.export_concurrency, timeout=r.export_timeout_seconds
        )
        if server.extensions.setdefault(EXTENSION, pool) is pool:
            # Quit the browsers when the process ends: a chromedriver left behind
            # outlives its Python process.
            atexit.register(pool.close)
        pool = server.extensions[EXTENSION]
    return pool


def render_view(
    renderer: Renderer,
    url: str,
    cookies: dict[str, str],
    fmt: str,
    *,
    wall: bool,
    screen: tuple[int, int],
) -> ViewFile:
    """Load ``url`` with ``cookies`` (the render token), wait until the page is fully
    drawn, and return it as PNG or as a ONE-page PDF of exactly what is drawn (screen
    media, page size = the view's size). A wall screen renders at its canvas size; a
    desk page at DESK_WIDTH and as tall as its content."""
    t0 = time.monotonic()
    driver = renderer.driver
    width, height = screen if wall else (DESK_WIDTH, DESK_MIN_HEIGHT)
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    try:
        for name, value in cookies.items():
            driver.execute_cdp_cmd("Network.setCookie", {"name": name, "value": value, "url": url})
        _set_viewport(driver, width, height)
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "screen"})
        ready = ready_js(require_figures=wall)
        driver.get(url)
        renderer.wait_until(ready, f"the view {url} to be drawn")
        if not wall:
            driver.execute_script(FREEZE_VH_JS)
            tall = min(max(int(driver.execute_script(HEIGHT_JS)), DESK_MIN_HEIGHT), MAX_HEIGHT)
            if tall != height:
                height = tall
                _set_viewport(driver, width, height)
                renderer.wait_until(ready, f"the view {url} after resizing")
        driver.execute_script("document.documentElement.classList.add('cockpit-export')")
        title = str(driver.execute_script(TITLE_JS) or "")
        if fmt == "png":
            data = base64.b64decode(
                driver.execute_cdp_cmd(
                    "Page.captureScreenshot",
                    {"format": "png", "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}},
                )["data"]
            )
        else:
            data = base64.b64decode(
                driver.execute_cdp_cmd(
                    "Page.printToPDF",
                    {
                        "printBackground": True,
                        "preferCSSPageSize": False,
                        "paperWidth": width / 96,
                        "paperHeight": height / 96 + 0.01,  # rounding never spills onto a 2nd page
                        "marginTop": 0,
                        "marginBottom": 0,
                        "marginLeft": 0,
                        "marginRight": 0,
                        "pageRanges": "1",
                    },
                )["data"]
            )
    finally:
        with contextlib.suppress(Exception):
            driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
            driver.get("about:blank")
    return ViewFile(data, fmt, title, width, height, time.monotonic() - t0)
