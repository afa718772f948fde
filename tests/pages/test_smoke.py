"""Smoke: the app serves every page, and the school screen draws in Chromium
without a console error."""

from __future__ import annotations

import json
import re

import dash
import pytest


def _samples(demo_store) -> dict[str, str]:
    """A real department code and metric id of the current snapshot."""
    values = demo_store.store.values(demo_store.snapshot_id, grains=("department",))
    department = next(v.dims["department"] for v in values if "department" in v.dims)
    metric = sorted({v.metric for v in values})[0]
    return {"department": department, "metric": metric}


def _page_paths(demo_store) -> list[str]:
    """Every registered page's path, <variables> filled with real values
    (a department code for <code>/<department>, a metric id otherwise)."""
    sample = _samples(demo_store)

    def fill(m: re.Match[str]) -> str:
        name = m.group(1)
        return sample["department"] if name in ("code", "department", "dept") else sample["metric"]

    paths = []
    for page in dash.page_registry.values():
        template = page.get("path_template")
        paths.append(re.sub(r"<([^>]+)>", fill, template) if template else page["path"])
    return sorted(set(paths))


def test_healthz_names_the_current_snapshot(live_server, demo_store):
    status, body = live_server.get("/healthz")
    assert status == 200
    data = json.loads(body)
    assert data["ok"] is True
    assert data["snapshot_id"] == demo_store.snapshot_id
    assert data["as_of"] == "2026-11-21"


def test_every_page_path_serves_200(live_server, demo_store):
    paths = _page_paths(demo_store)
    assert "/" in paths, f"no page registered at / (pages: {paths})"
    for path in paths:
        status, body = live_server.get(path)
        assert status == 200, f"GET {path}: HTTP {status}"
        assert b"_dash-renderer" in body or b"dash-renderer" in body, f"GET {path}: not the Dash index"


def test_layout_and_dependencies_serve(live_server):
    for path in ("/_dash-layout", "/_dash-dependencies"):
        status, body = live_server.get(path)
        assert status == 200, f"GET {path}: HTTP {status}"
        json.loads(body)


@pytest.mark.browser
def test_school_screen_draws_without_console_errors(browser):
    browser.visit("/")
    browser.wait_all_figures_drawn(timeout=30)
    assert browser.js("return [window.innerWidth, window.innerHeight]") == [1920, 1080]
    browser.screenshot("smoke-school")
    assert browser.find_all("#_pages_content > *"), "the page container is empty"
    assert browser.console_errors() == []


@pytest.mark.browser
def test_every_page_draws_without_console_errors(browser, demo_store):
    for path in _page_paths(demo_store):
        browser.visit(path)
        browser.wait_all_figures_drawn(timeout=30)
        assert browser.find_all("#_pages_content > *"), f"{path}: the page container is empty"
        assert browser.console_errors() == [], f"{path}: console errors"
