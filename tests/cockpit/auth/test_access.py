"""Who sees what, per role and per surface, through HTTP: pages, the Dash layout and
callbacks, the API, exports, report files. Deny by default."""

from __future__ import annotations

import json

import pytest

from tests.cockpit.auth.conftest import csrf_of, sign_in
from tests.cockpit.auth.conftest import router as _router

DATA_SURFACES = (
    "/_dash-layout",
    "/_dash-dependencies",
    "/api/snapshot",
    "/export/view.png",
    "/reports/files/x.pdf",
)


@pytest.mark.parametrize("path", DATA_SURFACES)
def test_anonymous_gets_no_data(local_app, path):
    r = local_app.server.test_client().get(path)
    assert r.status_code == 401
    assert "sign in" in r.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/department/X", "/indicator/placement_rate", "/admin", "/status"])
def test_anonymous_page_goes_to_sign_in(local_app, path):
    r = local_app.server.test_client().get(path)
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/login?next=")


def test_public_paths_stay_public(local_app):
    c = local_app.server.test_client()
    assert c.get("/healthz").status_code == 200
    assert c.get("/assets/auth.css").status_code == 200
    assert c.get("/login").status_code == 200


def test_a_callback_without_a_session_is_refused(local_app):
    body = {
        "output": "nav.children",
        "outputs": [],
        "inputs": [{"id": "url", "property": "search", "value": ""}],
    }
    r = local_app.server.test_client().post("/_dash-update-component", json=body)
    assert r.status_code == 401


def test_wrong_password_is_refused_and_audited(local_app):
    c = local_app.server.test_client()
    r = sign_in(c, "boss", "wrong password")
    assert r.status_code == 401
    assert "用户名或密码不正确" in r.get_data(as_text=True)
    assert c.get_cookie("cockpit_session") is None
    lines = local_app.server.extensions["cockpit"].accounts.audit_lines(limit=5)
    assert any(x["action"] == "login" and x["outcome"] == "failed" and x["target"] == "boss" for x in lines)


def test_unknown_user_reads_like_a_wrong_password(local_app):
    r = sign_in(local_app.server.test_client(), "nobody")
    assert r.status_code == 401 and "用户名或密码不正确" in r.get_data(as_text=True)


def test_sign_in_sets_a_hardened_session_cookie(local_app):
    c = local_app.server.test_client()
    r = sign_in(c, "boss")
    assert r.status_code == 302 and r.headers["Location"] == "/"
    cookies = r.headers.getlist("Set-Cookie")
    session = next(x for x in cookies if x.startswith("cockpit_session="))
    assert "HttpOnly" in session and "SameSite=Lax" in session
    csrf = next(x for x in cookies if x.startswith("_csrf_token="))
    assert "HttpOnly" not in csrf and "SameSite=Strict" in csrf
    assert c.get("/_dash-layout").status_code == 200


def test_login_form_without_its_csrf_token_is_refused(local_app):
    c = local_app.server.test_client()
    c.get("/login")
    r = c.post("/login", data={"username": "boss", "password": "correct horse battery", "csrf": "forged"})
    assert r.status_code == 400
    assert c.get_cookie("cockpit_session") is None


def test_login_next_stays_on_this_site(local_app):
    c = local_app.server.test_client()
    page = c.get("/login?next=//evil.example/x").get_data(as_text=True)
    assert 'name="next" value="/"' in page


def test_a_callback_without_the_csrf_header_is_refused(as_user):
    c = as_user("boss")
    body = {
        "output": "..nav.children...nav.className..",
        "outputs": [{"id": "nav", "property": "children"}, {"id": "nav", "property": "className"}],
        "inputs": [{"id": "url", "property": "search", "value": ""}],
        "changedPropIds": ["url.search"],
    }
    assert c.post("/_dash-update-component", json=body).status_code == 403
    ok = c.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf_of(c)})
    assert ok.status_code in (200, 204)


def test_sign_out_ends_the_session_everywhere(local_app, as_user):
    c = as_user("boss")
    token = c.get_cookie("cockpit_session").value
    r = c.post("/logout", data={"csrf": csrf_of(c)})
    assert r.status_code == 200
    other = local_app.server.test_client()
    other.set_cookie("cockpit_session", token)
    assert other.get("/_dash-layout").status_code == 401  # the copied cookie is dead too


@pytest.mark.parametrize("cookie", ["garbage", "x" * 5000, "\u00e9\u00e9", ""])
def test_a_malformed_session_cookie_is_just_no_session(local_app, cookie):
    c = local_app.server.test_client()
    c.set_cookie("cockpit_session", cookie)
    r = c.get("/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


def test_security_headers(as_user):
    r = as_user("boss").get("/")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-" in csp and "'unsafe-eval'" not in csp
    assert "frame-ancestors 'self'" in csp and "object-src 'none'" in csp
    assert r.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert r.headers["X-Content-Type-Options"] == "nosniff"


# -- roles and pages ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "path", "status"),
    [
        ("boss", "/", 200),
        ("boss", "/status", 200),
        ("boss", "/admin", 403),
        ("dean", "/", 200),
        ("dean", "/status", 403),
        ("dean", "/admin", 403),
        ("jiuye", "/indicator/placement_rate", 200),
        ("jiuye", "/admin", 403),
        ("it", "/admin", 200),
        ("it", "/status", 200),
        ("it", "/", 403),
        ("it", "/indicator/placement_rate", 403),
        ("both", "/admin", 200),
        ("both", "/", 200),
    ],
)
def test_page_rules(as_user, user, path, status):
    r = as_user(user).get(path)
    assert r.status_code == status
    if status == 403:
        assert "无权查看" in r.get_data(as_text=True)


def test_a_crafted_router_callback_cannot_open_a_forbidden_page(as_user):
    status, _ = _router(as_user("dean"), "/admin")
    assert status == 403
    status, _ = _router(as_user("it"), "/")
    assert status == 403


def test_dean_sees_own_department_screen_and_not_another(as_user, school):
    c = as_user("dean")
    status, own = _router(c, f"/department/{school.own}")
    assert status == 200
    own_name = school.labels["department"][school.own]["name_zh"]
    assert own_name in own
    status, other = _router(c, f"/department/{school.other}")
    assert status == 200
    assert school.labels["department"][school.other]["name_zh"] not in other
    assert "未找到" in other or "没有找到" in other or "unknown" in other.lower()


def test_dean_school_screen_ranks_only_their_department(as_user, school):
    _, page = _router(as_user("dean"), "/")
    for name in school.names_of_others({school.own}):
        assert name not in page, name


def test_leader_school_screen_ranks_every_department(as_user, school):
    _, page = _router(as_user("boss"), "/")
    assert school.labels["department"][school.other]["name_zh"] in page


def test_office_sees_only_its_families(as_user):
    c = as_user("jiuye")
    _, page = _router(c, "/indicator/approval_volume")
    assert "没有这个指标" in page  # outside its families: unknown to it
    _, wall = _router(c, "/")
    layout = json.loads(wall)
    text = json.dumps(layout, ensure_ascii=False)
    assert '"metric": "placement_rate"' in text
    assert '"metric": "approval_latency_p50"' not in text
    assert '"metric": "internship_rate"' not in text


# -- API, exports, files ---------------------------------------------------------------


def test_api_snapshot_for_a_signed_in_user(as_user, demo_store):
    r = as_user("dean").get("/api/snapshot")
    assert r.status_code == 200 and r.get_json()["snapshot_id"] == demo_store.snapshot_id


def test_export_of_another_department_is_refused(local_app, as_user, school):
    c = as_user("dean")
    r = c.get(f"/export/view.png?department={school.other}")
    assert r.status_code == 404
    lines = local_app.server.extensions["cockpit"].accounts.audit_lines(limit=5)
    assert any(x["action"] == "export" and x["outcome"] == "refused" and x["actor"] == "dean" for x in lines)


def test_a_deans_export_renders_with_the_deans_own_grant(as_user, school, monkeypatch):
    """The export browser carries a token of the requester's identity, never a wider
    one: the dean's school screen is rendered as the dean (their department only)."""
    from cockpit.auth.web import render_token_identity
    from cockpit.reports import browser

    seen = []

    def fake_render(renderer, url, cookies, fmt, *, wall, screen):
        seen.append(render_token_identity(cookies["cockpit_render"]))
        return browser.ViewFile(b"%PDF-1.4\n%%EOF\n", fmt, "x", 1, 1, 0.0)

    class Pool:
        def browser(self):
            import contextlib

            return contextlib.nullcontext(None)

    monkeypatch.setattr(browser, "render_view", fake_render)
    monkeypatch.setattr(browser, "pool_for", lambda server, settings: Pool())
    dean = as_user("dean")
    assert dean.get("/export/view.pdf?path=/").status_code == 200
    assert dean.get(f"/export/view.pdf?path=/department/{school.own}").status_code == 200
    assert dean.get(f"/export/view.pdf?path=/department/{school.other}").status_code == 404
    assert dean.get("/export/view.pdf?path=" + f"/alerts%3Fdepartment%3D{school.other}").status_code == 404
    assert len(seen) == 2
    for ident in seen:
        assert ident.name == "dean" and ident.roles == frozenset({"department"})
        assert ident.departments == frozenset({school.own})
        assert ident.scope().departments == frozenset({school.own})


def test_report_files_in_scope_only(local_app, as_user, school):
    from cockpit.reports import job

    settings = local_app.server.extensions["cockpit"].settings
    week = job.archive_dir(settings) / "2026-W47"
    week.mkdir(parents=True, exist_ok=True)
    for name in (
        "school_2026-W47.pdf",
        f"dept-{school.own}_2026-W47.pdf",
        f"dept-{school.other}_2026-W47.pdf",
    ):
        (week / name).write_bytes(b"%PDF-1.4\n%%EOF\n")
    dean, boss = as_user("dean"), as_user("boss")
    assert dean.get(f"/reports/files/2026-W47/dept-{school.own}_2026-W47.pdf").status_code == 200
    assert dean.get(f"/reports/files/2026-W47/dept-{school.other}_2026-W47.pdf").status_code == 404
    assert dean.get("/reports/files/2026-W47/school_2026-W47.pdf").status_code == 404
    assert boss.get("/reports/files/2026-W47/school_2026-W47.pdf").status_code == 200
    assert as_user("jiuye").get("/reports/files/2026-W47/school_2026-W47.pdf").status_code == 404
    _, listing = _router(dean, "/reports")
    assert f"dept-{school.own}_2026-W47.pdf" in listing
    assert f"dept-{school.other}_2026-W47.pdf" not in listing and "school_2026-W47.pdf" not in listing


def test_sign_in_attempts_are_rate_limited(demo_store, secret_env, tmp_path):
    from cockpit.app import create_app
    from tests.cockpit.auth.conftest import _settings

    app = create_app(
        _settings(demo_store, tmp_path, mode="local", login_rate_limit="3 per minute"), schedule=False
    )
    c = app.server.test_client()
    codes = [sign_in(c, "boss", "wrong password").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    last = sign_in(c, "boss")  # even the right password waits out the minute
    assert last.status_code == 429 and "登录尝试过于频繁" in last.get_data(as_text=True)
    lines = app.server.extensions["cockpit"].accounts.audit_lines(limit=2)
    assert lines[0]["detail"] == "rate limited"


@pytest.mark.parametrize("query", ["?department={other}", "?department={other}&grain=major", "?major=NOPE"])
def test_the_department_filter_never_widens_the_scope(as_user, school, query):
    status, page = _router(as_user("dean"), "/indicator/placement_rate", query.format(other=school.other))
    assert status == 200
    assert "没有找到该学院或专业" in page
    for name in school.names_of_others({school.own}):
        assert name not in page


def test_a_dean_may_filter_to_their_own_department(as_user, school):
    status, page = _router(
        as_user("dean"), "/indicator/placement_rate", f"?department={school.own}&grain=major"
    )
    assert status == 200 and school.labels["department"][school.own]["name_zh"] in page
