"""Signing in as a browser does it, in local mode: the form, the dean's screen drawn
under the Content-Security-Policy without a console error, the user box, sign-out."""

from __future__ import annotations

import dataclasses
import os

import pytest

from tests.pages.conftest import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def local_server(demo_store, tmp_path_factory):
    from cockpit.app import create_app

    os.environ.setdefault("COCKPIT_SECRET_KEY", "s" * 40)
    s = demo_store.settings
    settings = dataclasses.replace(s, auth=dataclasses.replace(s.auth, mode="local"))
    app = create_app(settings, schedule=False)
    acc = app.server.extensions["cockpit"].accounts
    snap = demo_store.store.get(demo_store.snapshot_id)
    own = next(c for c, lab in snap.labels["department"].items() if lab.get("kind", "academic") == "academic")
    if "browser-dean" not in {u["name"] for u in acc.users()}:
        acc.add_user("browser-dean", ["department"], [own], password="dean password 1")
    server = LiveServer(app.server)
    try:
        yield server, own, snap.labels
    finally:
        server.stop()


def test_dean_signs_in_sees_their_scope_and_signs_out(browser, local_server):
    server, own, labels = local_server
    browser.base_url = server.url
    browser.driver.delete_all_cookies()
    browser.visit("/department/" + own)
    browser.wait_for("#username")
    assert "/login?next=" in browser.current_path
    browser.find("#username").send_keys("browser-dean")
    browser.find("#password").send_keys("dean password 1")
    browser.click("button[type=submit]")
    browser.wait_all_figures_drawn()
    assert browser.current_path.startswith("/department/" + own)  # back where the dean wanted to go
    assert labels["department"][own]["name_zh"] in browser.find(".wall-title").text
    assert "browser-dean" in browser.wait_for(".nav-user").text
    browser.screenshot("sign_in_dean_department")
    assert browser.console_errors() == []  # the CSP lets Dash and Plotly run
    browser.click(".nav-user button")
    browser.wait_for(".auth-title", text="已退出登录")
    browser.visit("/")
    browser.wait_for("#username")
