"""Rendering: charts to inline SVG, pages to PDF and PNG (one headless Chromium).

``Renderer`` is a context manager holding ONE selenium-driven Debian Chromium for
a whole batch: every chart (plotly.js ``toImage`` in a local page, as kaleido
would, without a browser of its own), every PDF (CDP ``Page.printToPDF``) and
every screenshot goes through it. Nothing waits for a
fixed time: a report page is ready when its fonts are loaded (``document.fonts
.ready`` sets ``data-ready``), a Dash screen when every figure is drawn and Dash
is idle (the same check as tests/pages/conftest.py).
"""

from __future__ import annotations

import base64
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import plotly.graph_objects as go

from cockpit.readiness import ready_js

log = logging.getLogger(__name__)


def write_atomic(out: Path, data: bytes) -> None:
    """Write ``out`` whole or not at all: into a temporary file beside it, then renamed
    over it. A full disk (OSError ENOSPC) leaves the old file as it was and no part file
    behind; the error goes up (the CLI prints it as one line)."""
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class RenderError(Exception):
    """A rendering problem, one line."""


# The wall screen is drawn when Dash is idle and every figure has its SVG.
SCREEN_READY_JS = ready_js(require_figures=True)

# A static report page (report.html, card.html) sets data-ready on <html> once its fonts are in.
PAGE_READY_JS = "return document.documentElement.getAttribute('data-ready') === '1';"


def check_chromium(chromium: str, chromedriver: str) -> None:
    """RenderError (one line) when Debian's Chromium or chromedriver is missing."""
    for path, pkg, what in (
        (chromium, "chromium", "Chromium"),
        (chromedriver, "chromium-driver", "chromedriver"),
    ):
        found = path if os.path.isabs(path) else shutil.which(path)
        if not found or not (os.path.isfile(found) and os.access(found, os.X_OK)):
            raise RenderError(
                f"{what} not found at {path} (apt package {pkg}); "
                "install it or set reports.chromium / reports.chromedriver "
                "(COCKPIT_CHROMIUM / COCKPIT_CHROMEDRIVER)"
            )


def check_cjk_font() -> str:
    """The first CJK font family fontconfig knows; RenderError when there is none."""
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        out = ""
    families = [ln.split(",")[0].strip() for ln in out.splitlines() if ln.strip()]
    if not families:
        raise RenderError(
            "no CJK font: fc-list :lang=zh finds none; "
            "install fonts-noto-cjk fonts-wqy-microhei (apt) so Chinese text can be embedded"
        )
    return sorted(families)[0]


def _chrome_options(chromium: str, width: int, height: int, profile: str):
    from selenium.webdriver.chrome.options import Options

    opts = Options()
    opts.binary_location = chromium
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
        "--allow-file-access-from-files",
        "--lang=zh-CN",
        f"--window-size={width},{height}",
        f"--user-data-dir={profile}",
    ):
        opts.add_argument(arg)
    return opts


class Renderer:
    """One headless Chromium for a batch: SVG charts, PDFs and screenshots."""

    def __init__(self, chromium: str, chromedriver: str, *, timeout: float = 60):
        self.chromium = chromium
        self.chromedriver = chromedriver
        self.timeout = timeout
        self._driver = None
        self._profile: str | None = None
        self._charts_dir: str | None = None
        self.stats: dict[str, float] = {"svg_s": 0.0, "pdf_s": 0.0, "png_s": 0.0, "svgs": 0}

    # -- lifecycle ---------------------------------------------------------------

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def driver(self):
        if self._driver is None:
            check_chromium(self.chromium, self.chromedriver)
            from selenium import webdriver
            from selenium.webdriver.chrome.service import Service

            self._profile = tempfile.mkdtemp(prefix="cockpit-report-chromium-")
            try:
                self._driver = webdriver.Chrome(
                    service=Service(executable_path=self.chromedriver),
                    options=_chrome_options(self.chromium, 1920, 1080, self._profile),
                )
            except Exception as e:
                shutil.rmtree(self._profile, ignore_errors=True)
                raise RenderError(f"Chromium did not start: {' '.join(str(e).split())[:300]}") from e
            self._driver.set_page_load_timeout(self.timeout)
            # the page's own polling (``wait_until``) gives up first, with a clear message
            self._driver.set_script_timeout(self.timeout + 10)
        return self._driver

    def reduce_motion(self) -> None:
        """Pages in this browser see ``prefers-reduced-motion: reduce`` (CDP): a screenshot
        never catches an animation half-way, and no frame is spent on one."""
        self.driver.execute_cdp_cmd(
            "Emulation.setEmulatedMedia",
            {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]},
        )

    def clear_cookies(self) -> None:
        """Forget every cookie (a render token never outlives its screenshot)."""
        self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})

    def set_cookies(self, url: str, cookies: dict[str, str]) -> None:
        """Cookies for ``url``'s site, set before any page of it loads (CDP): a render
        token (cockpit.auth.web.render_token_cookies) and its CSRF token."""
        for name, value in cookies.items():
            self.driver.execute_cdp_cmd("Network.setCookie", {"name": name, "value": value, "url": url})

    def close(self) -> None:
        """Quit the browser, then kill whatever still runs with this renderer's profile:
        when chromedriver is gone (crashed, killed), selenium's quit says nothing and
        its Chromium would otherwise run on for as long as the machine does."""
        if self._driver is not None:
            try:
                self._driver.quit()
            finally:
                self._driver = None
                if self._profile and _kill_browser(self._profile):
                    log.warning("a Chromium outlived its chromedriver and was killed")
        for folder in (self._profile, self._charts_dir):
            if folder:
                shutil.rmtree(folder, ignore_errors=True)
        self._profile = self._charts_dir = None

    # -- charts --------------------------------------------------------------------

    def svgs(self, figs: Sequence[tuple[go.Figure, int, int]]) -> list[str]:
        """Each (figure, width, height) as an SVG document (text), vector, drawn in this browser.

        A local page loads the plotly.js that ships with plotly.py once, then
        ``Plotly.toImage`` draws the figures one after another — what kaleido does, without
        a third Chromium for the batch to start and feed (about a seventh of its CPU)."""
        if not figs:
            return []
        self.open_chart_page()
        return self.draw(figs)

    def open_chart_page(self) -> None:
        """Load the chart page (plotly.js) now, e.g. while the figures are still being built."""
        t0 = time.monotonic()
        if self._charts_dir is None:
            self._charts_dir = tempfile.mkdtemp(prefix="cockpit-charts-")
        page = Path(self._charts_dir) / "charts.html"
        page.write_text(_CHART_PAGE.format(plotly=_plotly_js().as_uri()), encoding="utf-8")
        self.driver.get(page.as_uri())
        self.wait_until("return !!window.Plotly;", "plotly.js in the chart page")
        self.stats["svg_s"] += time.monotonic() - t0

    def draw(self, figs: Sequence[tuple[go.Figure, int, int]]) -> list[str]:
        """``svgs()`` on the chart page already open (``open_chart_page``)."""
        t0 = time.monotonic()
        out: list[str] = []
        for i in range(0, len(figs), CHARTS_PER_CALL):
            out += self._draw(figs[i : i + CHARTS_PER_CALL])
        self.stats["svg_s"] += time.monotonic() - t0
        self.stats["svgs"] += len(figs)
        return out

    def _draw(self, figs: Sequence[tuple[go.Figure, int, int]]) -> list[str]:
        import plotly.io as pio

        payload = (
            "["
            + ",".join(
                f'{{"fig":{pio.to_json(fig, validate=False)},"width":{int(w)},"height":{int(h)}}}'
                for fig, w, h in figs
            )
            + "]"
        )
        result = self.driver.execute_async_script(_DRAW_JS, payload)
        if not isinstance(result, dict) or "svgs" not in result:
            error = result.get("error") if isinstance(result, dict) else result
            raise RenderError(f"plotly.js could not draw the charts: {' '.join(str(error).split())[:300]}")
        return [_clean_svg(str(svg)) for svg in result["svgs"]]

    # -- pages -----------------------------------------------------------------------

    def wait_until(self, script: str, what: str, *args: Any) -> Any:
        """Run ``script`` (a function body, ``arguments`` = ``args``) in the page until it returns
        something truthy twice in a row, 30 ms apart; returns that; RenderError on timeout.

        The polling runs in the page (one WebDriver call per wait): polling from here cost
        a round trip through chromedriver and the browser every 30 ms, about a tenth of
        the batch's CPU."""
        js = (
            "var check = function () {\n" + script + "\n};\n"
            "var args = arguments[0], end = Date.now() + arguments[1], done = arguments[2], prev = false;\n"
            "(function poll() {\n"
            "  var now; try { now = check.apply(null, args); } catch (e) { now = false; }\n"
            "  if (now && prev) { done(now); return; }\n"
            "  prev = now;\n"
            "  if (Date.now() > end) { done(null); return; }\n"
            "  setTimeout(poll, 30);\n"
            "})();"
        )
        try:
            result = self.driver.execute_async_script(js, list(args), int(self.timeout * 1000))
        except Exception as e:  # a script timeout or a page that went away
            raise RenderError(f"timed out waiting for {what}: {' '.join(str(e).split())[:200]}") from None
        if not result:
            raise RenderError(f"timed out waiting for {what}")
        return result

    def _load_page(self, html_path: Path, width: int, height: int) -> None:
        _set_viewport(self.driver, width, height)
        self.driver.get(html_path.resolve().as_uri())
        self.wait_until(PAGE_READY_JS, f"{html_path.name} to be ready")

    def pdf(self, html_path: Path, out: Path, footer: str = "") -> int:
        """Print an HTML file to an A4 PDF (the page's @page CSS decides the size); returns bytes written."""
        t0 = time.monotonic()
        self._load_page(html_path, 1000, 1400)
        params: dict[str, Any] = {
            "printBackground": True,
            "preferCSSPageSize": True,
            "displayHeaderFooter": True,
            "headerTemplate": "<span></span>",
            "footerTemplate": (
                '<div style="width:100%;font-size:8px;color:#616e7c;padding:0 14mm;'
                "font-family:'Noto Sans CJK SC',sans-serif;display:flex;justify-content:space-between\">"
                f"<span>{_escape(footer)}</span>"
                '<span>第 <span class="pageNumber"></span> / <span class="totalPages"></span> 页</span></div>'
            ),
            "marginTop": 0.55,
            "marginBottom": 0.6,
            "marginLeft": 0.55,
            "marginRight": 0.55,
        }
        data = self.driver.execute_cdp_cmd("Page.printToPDF", params)["data"]
        raw = base64.b64decode(data)
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, raw)
        self.stats["pdf_s"] += time.monotonic() - t0
        return len(raw)

    def screenshot_page(self, html_path: Path, width: int, out: Path) -> tuple[int, int]:
        """A static page (the summary card) at ``width`` CSS pixels, as tall as its content."""
        t0 = time.monotonic()
        self._load_page(html_path, width, 600)
        height = int(
            self.driver.execute_script(
                "return Math.ceil(document.documentElement.getBoundingClientRect().height)"
            )
        )
        _set_viewport(self.driver, width, height)
        self.wait_until(PAGE_READY_JS, "the card after resizing")
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, self.driver.get_screenshot_as_png())
        self.stats["png_s"] += time.monotonic() - t0
        return width, height

    def screenshot_elements(self, html_path: Path, width: int, shots: Sequence[tuple[str, Path]]) -> None:
        """One static page holding several cards: each element ``css`` -> a PNG of exactly that
        element (the viewport is as tall as the tallest one, so none is clipped)."""
        from selenium.webdriver.common.by import By

        t0 = time.monotonic()
        self._load_page(html_path, width, 800)
        tallest = int(
            self.driver.execute_script(
                "return Math.ceil(Math.max.apply(null, arguments[0].map(function (s) {"
                " return document.querySelector(s).getBoundingClientRect().height; })))",
                [css for css, _ in shots],
            )
        )
        _set_viewport(self.driver, width, max(tallest, 100))
        for css, out in shots:
            el = self.driver.find_element(By.CSS_SELECTOR, css)
            self.driver.execute_script("arguments[0].scrollIntoView(true)", el)
            out.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(out, el.screenshot_as_png)
        self.stats["png_s"] += time.monotonic() - t0

    def screenshot_screen(
        self, url: str, width: int, height: int, out: Path, scope: str | None = None
    ) -> int:
        """A Dash wall screen at its canvas size once every figure is drawn; returns the figure count.

        With ``scope`` (the canvas's ``data-scope``: "school" or a department code) and the
        app already loaded from the same server, the browser navigates inside the
        single-page app instead of loading it again — by way of an empty route, so
        that every figure of the new screen is drawn afresh, never caught as the old
        screen's. That spares re-parsing the whole front end for each screen."""
        t0 = time.monotonic()
        _set_viewport(self.driver, width, height)
        if scope is not None and self._on_app(url):
            self._navigate(urlsplit(url)._replace(scheme="", netloc="").geturl())
        else:
            self.driver.get(url)
        if scope is not None:
            self.wait_until(_SCOPE_JS, f"the {scope} screen on {url}", scope)
        state = self.wait_until(SCREEN_READY_JS, f"every figure drawn on {url}")
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, self.driver.get_screenshot_as_png())
        self.stats["png_s"] += time.monotonic() - t0
        return int(state["figures"])

    def _on_app(self, url: str) -> bool:
        """Whether the page now open is the Dash app of ``url``'s server."""
        here, there = urlsplit(self.driver.current_url), urlsplit(url)
        if (here.scheme, here.netloc) != (there.scheme, there.netloc):
            return False
        return bool(self.driver.execute_script("return !!(window.store && window.store.getState);"))

    def _navigate(self, path: str) -> None:
        """Client-side navigation (as a dcc.Link does) to ``path``, via a route with no screen."""
        self.driver.execute_script(_PUSH_JS, BLANK_ROUTE)
        self.wait_until(_BLANK_JS, "the empty route")
        self.driver.execute_script(_PUSH_JS, path)


# Client-side navigation of Dash Pages: dcc.Location listens for this event after pushState.
_PUSH_JS = (
    "history.pushState({}, '', arguments[0]);window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));"
)
BLANK_ROUTE = "/_report-blank"  # no page has it: Dash Pages shows its "not found" content
_BLANK_JS = (
    "var pc = document.getElementById('_pages_content');"
    "return !!pc && pc.children.length > 0 && !document.getElementById('wall-canvas');"
)
_SCOPE_JS = (
    "var c = document.getElementById('wall-canvas');"
    "return !!c && c.getAttribute('data-scope') === arguments[0];"
)


CHARTS_PER_CALL = 25  # figures per WebDriver call: bounded request and answer sizes

# The chart page: plotly.js from the plotly package, nothing from the network.
_CHART_PAGE = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>charts</title>'
    '<script src="{plotly}" charset="utf-8"></script></head><body></body></html>'
)

# Draw each {fig, width, height} as kaleido does for SVG (kaleido_scopes.js): toImage with
# the image data only, scale 1, no background set.
_DRAW_JS = """
var items = JSON.parse(arguments[0]), done = arguments[1], out = [];
(async function () {
  try {
    for (var i = 0; i < items.length; i++) {
      var f = items[i].fig;
      out.push(await Plotly.toImage({data: f.data || [], layout: f.layout || {}, config: {}}, {
        format: 'svg', width: items[i].width, height: items[i].height, scale: 1, imageDataOnly: true
      }));
    }
    done({svgs: out});
  } catch (e) {
    done({error: String((e && e.message) || e)});
  }
})();
"""


def _plotly_js() -> Path:
    """plotly.min.js as installed with plotly.py: the same plotly.js the screens use."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise RenderError(
            f"plotly.js not found at {path} (reinstall plotly: pip install -r requirements.txt)"
        )
    return path


def _kill_browser(profile: str) -> int:
    """SIGKILL the Chromium started with ``--user-data-dir=profile`` (its helpers exit with
    it); returns how many processes were still running."""
    flag = f"--user-data-dir={profile}".encode()
    killed = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if flag in (entry / "cmdline").read_bytes().split(b"\0"):
                os.kill(int(entry.name), signal.SIGKILL)
                killed += 1
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return killed


def _set_viewport(driver, width: int, height: int) -> None:
    """Make window.innerWidth x innerHeight exactly width x height (headless keeps some window chrome)."""
    cur = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    if cur == [width, height]:
        return
    driver.set_window_size(width, height)
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    dw, dh = width - inner[0], height - inner[1]
    if dw or dh:
        driver.set_window_size(width + dw, height + dh)


def _clean_svg(svg: str) -> str:
    """An SVG document ready to inline in HTML (no XML prolog)."""
    if svg.startswith("<?xml"):
        svg = svg[svg.index("?>") + 2 :]
    return svg.strip()


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))
