"""Fixtures for the page tests: a demo snapshot store, the Dash app on it, and
headless Debian Chromium driving that app.

Session-scoped (built once per ``pytest`` run):

``demo_store`` -> ``DemoStore``
    A scale-0.1 demo source (seed 2026, today 2026-11-21, so every figure is
    deterministic) and a snapshot store in a tmp dir holding: the current
    snapshot as of 2026-11-21, the six week ends before it (2026-10-11 ..
    2026-11-15: "previous week" and a short trend) and 2025-11-22 (same day
    last season). Attributes: ``settings`` (``cockpit.config.Settings`` on
    those URLs), ``store`` (``cockpit.store.Store``), ``snapshot_id`` (the
    current one), ``today`` (``date(2026, 11, 21)``), ``as_of_dates``,
    ``source_url``, ``store_url``, ``dir``.

``cockpit_app``
    ``cockpit.app.create_app(demo_store.settings, schedule=False)``.

``live_server`` -> ``LiveServer``
    That app's Flask server in a background thread on a free 127.0.0.1 port;
    ``live_server.url`` ("http://127.0.0.1:PORT"), ``live_server.get(path)``
    -> ``(status, body bytes)`` without a browser.

``browser`` -> ``Browser`` (function-scoped handle on one session-wide Chromium)
    Headless Chromium at 1920x1080. Explicit waits only:

    - ``visit(path)``: load ``live_server.url + path`` (clears console errors).
    - ``wait_for(css, text=None, timeout=10)`` -> the first element matching
      ``css`` (whose text contains ``text``, if given).
    - ``wait_until(condition, timeout=10, message="")``: ``condition(driver)``
      polled until truthy; returns its value.
    - ``wait_all_figures_drawn(timeout=15)`` -> number of figures: THE
      readiness signal, see below. Call it after ``visit`` or a click before
      asserting on or screenshotting a screen.
    - ``console_errors()`` -> the browser console's SEVERE entries since the
      last ``visit`` (list of dicts: level, message, source, timestamp).
    - ``screenshot(name)`` -> Path of ``artifacts/screens/<name>.png``.
    - ``set_window(w, h)``: resize the viewport (reset to 1920x1080 for every test).
    - ``find(css)`` / ``find_all(css)``, ``click(css)``, ``js(script, *args)``,
      ``current_path``; ``driver`` is the selenium WebDriver.

Readiness (``Browser.wait_all_figures_drawn``, the JS in ``READY_JS``): the
screen counts as drawn when, on two polls in a row,
  - Dash's renderer is up (``window.store``), its layout request succeeded,
    the initial ``._dash-loading`` placeholder is gone, no callback is
    requested / prioritized / executing / watched / executed / blocked and
    ``isLoading`` is false;
  - no element says ``data-dash-is-loading="true"`` (dcc.Loading spinners);
  - the pages container ``#_pages_content`` has content;
  - every ``.dash-graph`` holds a ``.js-plotly-plot`` and every
    ``.js-plotly-plot`` has a ``.main-svg`` and Plotly's ``_fullLayout``.
``scripts/bench_screens.py`` times screens with the same JS.

Chromium and chromedriver come from Debian (apt packages ``chromium`` and
``chromium-driver``; COCKPIT_CHROMIUM / COCKPIT_CHROMEDRIVER override the
paths); when missing the browser tests FAIL with that message, they never
skip. ``build_demo_store(dir)``, ``start_chromium(profile_dir)`` and
``READY_JS`` are plain functions/strings, usable outside pytest.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cockpit.readiness import ready_js

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "screens"
CHROMIUM = os.environ.get("COCKPIT_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("COCKPIT_CHROMEDRIVER", "/usr/bin/chromedriver")
WINDOW = (1920, 1080)

# The demo store is shared with the other suites: tests/support/demo.py, fixture
# ``demo_store`` in tests/conftest.py.
from tests.support.demo import DemoStore, build_demo_store, demo_as_of_dates  # noqa: E402,F401

# True when the page is drawn (cockpit/readiness.py; pages may have no figure).
READY_JS = ready_js(require_figures=False)


@pytest.fixture(scope="session")
def cockpit_app(demo_store):
    from cockpit.app import create_app

    return create_app(demo_store.settings, schedule=False)


# -- server ------------------------------------------------------------------------


class LiveServer:
    """A WSGI app served by werkzeug in a daemon thread on a free loopback port."""

    def __init__(self, wsgi_app, host: str = "127.0.0.1") -> None:
        from werkzeug.serving import make_server

        self._server = make_server(host, 0, wsgi_app, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)
        self._thread.start()

    def get(self, path: str, timeout: float = 30) -> tuple[int, bytes]:
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()


@pytest.fixture(scope="session")
def live_server(cockpit_app) -> Iterator[LiveServer]:
    server = LiveServer(cockpit_app.server)
    try:
        yield server
    finally:
        server.stop()


# -- browser -----------------------------------------------------------------------


def chromium_options(user_data_dir: str, window: tuple[int, int] = WINDOW):
    """ChromeOptions for Debian's chromium, headless, as root, without network noise."""
    from selenium.webdriver.chrome.options import Options

    opts = Options()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--no-first-run",
        "--no-default-browser-check",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--lang=zh-CN",
        f"--window-size={window[0]},{window[1]}",
        f"--user-data-dir={user_data_dir}",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return opts


def start_chromium(user_data_dir: str, window: tuple[int, int] = WINDOW):
    """A selenium WebDriver on Debian's chromium; a clear error when it is not installed."""
    missing = [
        f"{path} (apt package {pkg})"
        for path, pkg in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver"))
        if not (os.path.isfile(path) and os.access(path, os.X_OK))
    ]
    if missing:
        raise RuntimeError(
            "headless browser not installed: "
            + ", ".join(missing)
            + " — run `make setup` or `sudo apt-get install -y chromium chromium-driver fonts-noto-cjk`"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    driver = webdriver.Chrome(
        service=Service(executable_path=CHROMEDRIVER), options=chromium_options(user_data_dir, window)
    )
    set_viewport(driver, *window)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(30)
    return driver


def set_viewport(driver, width: int, height: int) -> None:
    """Resize the window so that the viewport (window.innerWidth x innerHeight) is the
    given size: headless Chromium keeps part of the window for its invisible UI."""
    import time

    driver.set_window_size(width, height)
    # The page may report its old size for a moment after a big resize (1920 -> 390):
    # wait until the difference is only the browser's own frame, then make up for it.
    for _ in range(100):
        inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
        dw, dh = width - inner[0], height - inner[1]
        if abs(dw) < 200 and abs(dh) < 200:
            break
        time.sleep(0.05)
    if dw or dh:
        driver.set_window_size(width + dw, height + dh)


class Browser:
    """Helpers over one WebDriver pointed at the live server. Explicit waits only."""

    def __init__(self, driver, base_url: str) -> None:
        self.driver = driver
        self.base_url = base_url
        self._errors: list[dict] = []

    # navigation
    def visit(self, path: str = "/") -> None:
        self._drain()
        self._errors = []
        self.driver.get(self.base_url + path)

    @property
    def current_path(self) -> str:
        url = self.driver.current_url
        return url[len(self.base_url) :] if url.startswith(self.base_url) else url

    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    # waiting
    def wait_until(self, condition: Callable[[Any], Any], timeout: float = 10, message: str = ""):
        from selenium.common.exceptions import TimeoutException
        from selenium.webdriver.support.ui import WebDriverWait

        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(condition)
        except TimeoutException:
            errors = self.console_errors()
            raise AssertionError(
                f"timed out after {timeout} s on {self.current_path}: {message or condition}"
                + (f"; console errors: {[e['message'] for e in errors]}" if errors else "")
            ) from None

    def wait_for(self, css: str, text: str | None = None, timeout: float = 10):
        from selenium.webdriver.common.by import By

        def found(driver):
            for el in driver.find_elements(By.CSS_SELECTOR, css):
                if text is None or text in el.text:
                    return el
            return False

        what = f"{css!r}" + (f" containing {text!r}" if text is not None else "")
        return self.wait_until(found, timeout, f"an element {what}")

    def is_drawn(self) -> dict | bool:
        return self.js(READY_JS)

    def wait_all_figures_drawn(self, timeout: float = 15) -> int:
        """Wait until the screen is drawn (see the module docstring); returns the figure count."""
        state = {"prev": False}

        def stable(_driver):
            now = self.is_drawn()
            ok = bool(now) and bool(state["prev"])
            state["prev"] = now
            return now if ok else False

        return int(self.wait_until(stable, timeout, "every figure drawn, no callback pending")["figures"])

    # queries
    def find(self, css: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list:
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def click(self, css: str, timeout: float = 10) -> None:
        el = self.wait_until(
            lambda d: next((e for e in self.find_all(css) if e.is_displayed() and e.is_enabled()), False),
            timeout,
            f"a clickable {css!r}",
        )
        el.click()

    # console
    def _drain(self) -> None:
        for entry in self.driver.get_log("browser"):
            if entry.get("level") == "SEVERE":
                self._errors.append(entry)

    def console_errors(self) -> list[dict]:
        self._drain()
        return list(self._errors)

    # output
    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def set_window(self, width: int, height: int) -> None:
        """Make the page's viewport ``width`` x ``height`` CSS pixels."""
        set_viewport(self.driver, width, height)


@pytest.fixture(scope="session")
def _chromium() -> Iterator[Any]:
    profile = tempfile.mkdtemp(prefix="cockpit-chromium-")
    try:
        driver = start_chromium(profile)
    except RuntimeError as e:
        shutil.rmtree(profile, ignore_errors=True)
        pytest.fail(str(e), pytrace=False)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser(_chromium, live_server) -> Browser:
    """Headless Chromium on the live app, window reset to 1920x1080."""
    set_viewport(_chromium, *WINDOW)
    b = Browser(_chromium, live_server.url)
    b._drain()  # forget the previous test's console
    b._errors = []
    return b
