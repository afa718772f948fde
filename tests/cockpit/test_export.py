"""Export what you see (cockpit/reports/browser.py, cockpit/files.py), end to end:
the running app serves a page, its /export route renders exactly that view in the
warm headless browser with the requester's render token, and the file is read as
a reader would: pdftotext of an English export is English, the PDF is one page,
the PNG has the canvas size. The pool reuses its browser and replaces a dead one;
the render token is the only credential the browser has and opens pages only."""

from __future__ import annotations

import re
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from cockpit.reports import browser


class _Server:
    def __init__(self, wsgi) -> None:
        from werkzeug.serving import make_server

        self.srv = make_server("127.0.0.1", 0, wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self.srv.server_port}"
        self.thread = threading.Thread(target=self.srv.serve_forever, daemon=True)
        self.thread.start()

    def get(self, path: str, cookies: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
        req = urllib.request.Request(self.url + path)
        if cookies:
            req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                return r.status, r.read(), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read(), dict(e.headers)

    def stop(self) -> None:
        self.srv.shutdown()
        self.thread.join(10)
        self.srv.server_close()


@pytest.fixture(scope="module")
def app(demo_store):
    from cockpit.app import create_app

    return create_app(demo_store.settings, schedule=False)


@pytest.fixture(scope="module")
def live(app) -> Iterator[_Server]:
    server = _Server(app.server)
    try:
        yield server
    finally:
        server.stop()
        pool = app.server.extensions.get(browser.EXTENSION)
        if pool is not None:
            pool.close()


def _export(live, fmt: str, view: str, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    status, body, headers = live.get(f"/export/view.{fmt}?path=" + quote(view))
    assert status == 200, body[:300]
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(body)
    return path, headers


def _pdf(path: Path) -> tuple[int, str]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1)), text.stdout


def test_an_english_export_is_one_english_page(live, tmp_path):
    path, headers = _export(live, "pdf", "/alerts?lang=en", tmp_path)
    pages, text = _pdf(path)
    assert pages == 1
    assert "Alerts" in text and "Whole school" in text
    for chinese in ("预警", "全校", "导出", "周报"):
        assert chinese not in text
    assert headers["Content-Disposition"].startswith('attachment; filename="Alerts_2026-11-21.pdf"')


def test_a_chinese_export_of_the_same_view(live, tmp_path):
    path, headers = _export(live, "pdf", "/alerts", tmp_path)
    pages, text = _pdf(path)
    assert pages == 1 and "预警" in text and "全校" in text
    assert "filename*=UTF-8''" + quote("预警清单_2026-11-21.pdf", safe="") in headers["Content-Disposition"]
    assert 'filename="cockpit_alerts_2026-11-21.pdf"' in headers["Content-Disposition"]


def test_the_filters_of_the_view_are_exported(live, tmp_path, demo_store):
    snap = demo_store.store.get(demo_store.snapshot_id)
    code, lab = next(
        (c, lab) for c, lab in snap.labels["department"].items() if lab.get("kind", "academic") == "academic"
    )
    path, _ = _export(live, "pdf", f"/alerts?lang=en&department={code}", tmp_path)
    _, text = _pdf(path)
    assert lab["name_en"][:20] in text


def test_png_of_the_school_screen_reuses_the_warm_browser(live, app, tmp_path):
    first, _ = _export(live, "png", "/", tmp_path)
    head = first.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(head[16:20], "big") == 1920 and int.from_bytes(head[20:24], "big") == 1080
    pool = app.server.extensions[browser.EXTENSION]
    started = pool.started
    _export(live, "png", "/?lang=en", tmp_path)
    assert pool.started == started  # the same browser answered


def test_a_dead_browser_is_replaced(live, app, tmp_path):
    _export(live, "png", "/alerts", tmp_path)
    pool = app.server.extensions[browser.EXTENSION]
    started = pool.started
    renderer, _uses = pool._idle[-1]
    profile = renderer._profile
    assert _browsers_of(profile), "the idle browser runs"
    renderer._driver.service.process.kill()  # chromedriver gone, as after a crash
    status, body, _ = live.get("/export/view.png?path=/alerts")
    if status != 200:  # the export that met the dead browser fails with one line...
        assert status == 503 and body.decode().count("\n") == 1
        status, body, _ = live.get("/export/view.png?path=/alerts")
    assert status == 200  # ...and a fresh browser answers the next one
    assert pool.started == started + 1
    # ...and the orphaned Chromium of the dead one does not run on for months (SIGKILL
    # takes effect asynchronously: wait for it, within a bound)
    deadline = time.monotonic() + 30
    while _browsers_of(profile) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _browsers_of(profile) == []


def _browsers_of(profile: str) -> list[int]:
    """Running (not zombie) processes started with ``--user-data-dir=profile``."""
    flag = f"--user-data-dir={profile}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if (
                entry.name.isdigit()
                and flag in (entry / "cmdline").read_bytes().split(b"\0")
                and ") Z " not in (entry / "stat").read_text()
            ):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_the_render_token_opens_pages_only_and_cannot_be_forged(live, app):
    from cockpit.auth.identity import DEMO
    from cockpit.auth.web import RENDER_COOKIE, render_token_cookies

    with app.server.test_request_context("/"):
        cookies = render_token_cookies(DEMO)
    assert live.get("/alerts", cookies)[0] == 200
    assert live.get("/export/view.png?path=/", cookies)[0] == 403
    assert live.get("/reports/files/x.pdf", cookies)[0] == 403
    forged = {**cookies, RENDER_COOKIE: cookies[RENDER_COOKIE][:-2] + "xx"}
    assert live.get("/alerts", forged)[0] == 403
