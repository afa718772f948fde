"""The status page's background tasks (cockpit/history.py): the history backfill and
last week's reports, in words, from the rows the background process writes."""

from __future__ import annotations


def test_status_page_shows_background_progress(cockpit_app):  # the pages need the app
    from pages.status import _background

    def texts(tasks, lang):
        return [getattr(c, "children", None) for c in _background(tasks, lang)]

    running = {"state": "running", "done": 12, "total": 32, "detail": "2026-08-09"}
    reports = {"state": "running", "done": None, "total": None, "detail": "2026-W47"}
    assert texts({"backfill": running, "reports": reports}, "zh") == [
        "历史回填",
        "12/32 周",
        "上周报告",
        "2026-W47 正在生成",
    ]
    assert texts({"backfill": running}, "en") == ["History backfill", "12 of 32 weeks"]
    failed = {"state": "failed", "done": None, "total": None, "detail": "2026-W47: error: disk full"}
    assert texts({"reports": failed}, "en")[1] == "failed: 2026-W47: error: disk full"
