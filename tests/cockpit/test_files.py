"""cockpit/files.py through Flask's test client: the archive's files are served,
nothing outside the archive ever is (every traversal spelling is a 404), and
/export/view.<fmt> sends the export of the current view as an attachment."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from urllib.parse import quote

import pytest

PDF = b"%PDF-1.4\n% a weekly report\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def archive(tmp_path) -> Path:
    """An archive with a week of reports, and a secret next to (outside) it."""
    root = tmp_path / "archive"
    week = root / "2026-W47"
    week.mkdir(parents=True)
    (week / "school_2026-W47.pdf").write_bytes(PDF)
    (week / "school_2026-W47.png").write_bytes(PNG)
    (week / "dept-D01_2026-W47.pdf").write_bytes(PDF)
    (week / "机电工程学院_2026-W47.pdf").write_bytes(PDF)  # not a report's name: never served
    (tmp_path / "secret.txt").write_text("outside the archive", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd").write_text("root:x:0:0", encoding="utf-8")
    # Symlinks: one pointing out to a file, one to a folder, one staying inside.
    (week / "escape.pdf").symlink_to(tmp_path / "secret.txt")
    (root / "elsewhere").symlink_to(outside, target_is_directory=True)
    (week / "school_2026-W47_card.png").symlink_to(week / "school_2026-W47.png")
    return root


@pytest.fixture
def settings(tmp_path, archive):
    from cockpit.config import load_settings

    base = load_settings(
        env={
            "COCKPIT_STORE_URL": f"sqlite:///{tmp_path / 'store.sqlite'}",
            "COCKPIT_SOURCE_URL": f"sqlite:///{tmp_path / 'source.sqlite'}",
        }
    )
    reports = dataclasses.replace(base.reports, archive=archive)
    return dataclasses.replace(base, reports=reports)


@pytest.fixture
def client(settings):
    from cockpit.app import create_app

    app = create_app(settings, schedule=False)
    return app.server.test_client()


def test_archive_dir_comes_from_settings(settings, archive):
    from cockpit.reports import job

    assert Path(job.archive_dir(settings)).resolve() == archive.resolve()


def test_serves_a_report_as_a_download(client):
    r = client.get("/reports/files/2026-W47/school_2026-W47.pdf")
    assert r.status_code == 200
    assert r.data == PDF
    assert r.mimetype == "application/pdf"
    cd = r.headers["Content-Disposition"]
    assert cd.startswith("attachment") and "school_2026-W47.pdf" in cd


def test_serves_a_png_with_its_type(client):
    r = client.get("/reports/files/2026-W47/school_2026-W47.png")
    assert r.status_code == 200
    assert r.data == PNG
    assert r.mimetype == "image/png"


def test_a_file_that_is_not_a_report_is_not_served(client):
    # Only the archive's own report names are served: anything else is unreadable
    # for the scope check, so it is a 404 like a missing file.
    r = client.get("/reports/files/" + quote("2026-W47/机电工程学院_2026-W47.pdf"))
    assert r.status_code == 404


def test_department_report_is_served_with_its_name(client):
    r = client.get("/reports/files/2026-W47/dept-D01_2026-W47.pdf")
    assert r.status_code == 200 and r.data == PDF
    assert "dept-D01_2026-W47.pdf" in r.headers["Content-Disposition"]


def test_symlink_staying_inside_is_served(client):
    r = client.get("/reports/files/2026-W47/school_2026-W47_card.png")
    assert r.status_code == 200 and r.data == PNG


@pytest.mark.parametrize(
    "path",
    [
        "../secret.txt",  # plain traversal
        "2026-W47/../../secret.txt",  # traversal after a real folder
        "%2e%2e/secret.txt",  # URL-encoded dots
        "%2E%2E/secret.txt",
        "%2e%2e%2fsecret.txt",  # encoded slash too
        "2026-W47/%2e%2e/%2e%2e/secret.txt",
        "..%5csecret.txt",  # a Windows separator
        "%2fetc%2fpasswd",  # absolute, encoded
        "/etc/passwd",  # absolute: /reports/files//etc/passwd
        "2026-W47/escape.pdf",  # symlink to a file outside
        "elsewhere/passwd",  # through a symlinked folder outside
        "2026-W47",  # a folder, not a file
        "",  # the archive itself
        "2026-W47/missing.pdf",  # not there
        "2026-W47/school_2026-W47.pdf%00.png",  # NUL byte
    ],
)
def test_refuses_anything_outside_the_archive(client, path):
    r = client.get("/reports/files/" + path)
    assert r.status_code == 404, (path, r.status_code, r.data[:80])
    assert b"root:x" not in r.data and b"outside the archive" not in r.data


def test_resolve_inside_directly(archive, tmp_path):
    from cockpit.files import resolve_inside

    assert (
        resolve_inside(archive, "2026-W47/school_2026-W47.pdf")
        == (archive / "2026-W47" / "school_2026-W47.pdf").resolve()
    )
    for bad in ("..", "../secret.txt", str(tmp_path / "secret.txt"), "2026-W47/escape.pdf", "./", "a\x00b"):
        assert resolve_inside(archive, bad) is None, bad
    assert resolve_inside(tmp_path / "no-such-archive", "x.pdf") is None


# -- /export/view.<fmt> --------------------------------------------------------------


@pytest.fixture
def exports(monkeypatch, tmp_path):
    """The browser's render of a view replaced by a stand-in that records the URL and
    the identity its render token carries (the real browser has its own tests in
    tests/cockpit/test_export.py), and a current snapshot as of 2026-11-21 with one
    academic department, D01."""
    from cockpit import service
    from cockpit.auth.web import render_token_identity
    from cockpit.reports import browser

    calls = []

    class FakePool:
        def browser(self):
            import contextlib

            return contextlib.nullcontext(None)

    def fake_render(renderer, url, cookies, fmt, *, wall, screen):
        calls.append((url.split("/", 3)[3], fmt, wall, render_token_identity(cookies["cockpit_render"])))
        title = (
            "机电工程学院 · 部门大屏"
            if "D01" in url
            else ("School overview" if "lang=en" in url else "校情综合大屏")
        )
        return browser.ViewFile(PNG if fmt == "png" else PDF, fmt, title, 1920, 1080, 0.1)

    depts = {"D01": {"code": "D01", "name_zh": "机电工程学院", "name_en": "Mechatronics"}}
    monkeypatch.setattr(browser, "render_view", fake_render)
    monkeypatch.setattr(browser, "pool_for", lambda server, settings: FakePool())
    monkeypatch.setattr(service, "wall_header", lambda scope=None: {"as_of": "2026-11-21", "school": "x"})
    monkeypatch.setattr(service, "department", lambda code, scope: depts.get(code))
    return calls


def test_export_school_png(client, exports):
    r = client.get("/export/view.png?path=/")
    assert r.status_code == 200
    assert r.mimetype == "image/png" and r.data == PNG
    cd = r.headers["Content-Disposition"]
    assert cd == (
        'attachment; filename="cockpit_school_2026-11-21.png"; '
        "filename*=UTF-8''" + quote("校情综合大屏_2026-11-21.png", safe="")
    )
    assert [c[:3] for c in exports] == [("", "png", True)]
    assert exports[0][3].name == "demo"  # rendered as the requester (auth.mode none: the demo user)


def test_export_is_exactly_the_view_with_its_query_and_language(client, exports):
    r = client.get("/export/view.pdf?path=" + quote("/?lang=en&kiosk=0"))
    assert r.status_code == 200
    assert exports[0][:3] == ("?lang=en&kiosk=0", "pdf", True)
    assert r.headers["Content-Disposition"].startswith(
        'attachment; filename="School_overview_2026-11-21.pdf"'
    )


def test_export_department_pdf(client, exports):
    r = client.get("/export/view.pdf?department=D01")
    assert r.status_code == 200
    assert r.mimetype == "application/pdf" and r.data == PDF
    assert quote("机电工程学院_部门大屏_2026-11-21.pdf", safe="") in r.headers["Content-Disposition"]
    assert [c[:3] for c in exports] == [("department/D01", "pdf", True)]


def test_export_of_a_desk_page_names_its_as_of(client, exports):
    r = client.get("/export/view.png?path=" + quote("/alerts?as_of=2026-11-15&level=critical"))
    assert r.status_code == 200
    assert exports[0][:3] == ("alerts?as_of=2026-11-15&level=critical", "png", False)
    assert 'filename="cockpit_alerts_2026-11-15.png"' in r.headers["Content-Disposition"]


@pytest.mark.parametrize(
    "path",
    [
        "http://evil.example/",
        "//evil.example/x",
        "/export/view.png",
        "/reports/files/x.pdf",
        "/_dash-layout",
        "/a/../export/view.png",
        "relative",
        "/assets/x.js",
        "/logout",
    ],
)
def test_export_of_anything_but_a_page_is_refused(client, exports, path):
    r = client.get("/export/view.png?path=" + quote(path))
    assert r.status_code == 404
    assert exports == []


@pytest.mark.parametrize("department", ["NOPE", "D01/../x", "%00"])
def test_export_unknown_department_is_404(client, exports, department):
    r = client.get("/export/view.png?department=" + quote(department))
    assert r.status_code == 404
    text = r.get_data(as_text=True)
    assert text.count("\n") == 1 and "没有找到学院" in text
    assert exports == []


@pytest.mark.parametrize("fmt", ["gif", "svg", "html", "png.exe", "PNG", "pdf/../x"])
def test_export_other_formats_are_404(client, exports, fmt):
    r = client.get("/export/view." + fmt)
    assert r.status_code == 404
    assert exports == []


def test_export_without_snapshot_is_404(client, monkeypatch, tmp_path):
    from cockpit.reports import browser

    monkeypatch.setattr(browser, "render_view", lambda *a, **k: pytest.fail("no export without a snapshot"))
    r = client.get("/export/view.png")
    assert r.status_code == 404
    assert r.get_data(as_text=True).count("\n") == 1


def test_export_failure_is_one_line(client, exports, monkeypatch):
    from cockpit.reports import browser

    def broken(*a, **k):
        raise RuntimeError("chromium crashed\nwith a long traceback")

    monkeypatch.setattr(browser, "render_view", broken)
    r = client.get("/export/view.pdf")
    assert r.status_code == 503
    assert r.get_data(as_text=True) == "导出失败 / export failed: chromium crashed\n"
