"""Wall devices (one-time token -> device cookie, kiosk, bound paths, revocation),
the header mode behind a trusted proxy, the demo's `none` mode on loopback only."""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qs, urlsplit

import pytest

from cockpit.config import ConfigError


def _token(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.path, parse_qs(parts.query)["wall_token"][0]


def test_wall_token_becomes_a_device_cookie_once(local_app, school):
    acc = local_app.server.extensions["cockpit"].accounts
    token = acc.add_wall("lobby-1", [f"/department/{school.own}"], None)
    wall = local_app.server.test_client()
    r = wall.get(f"/department/{school.own}?kiosk=1&wall_token={token}")
    assert r.status_code == 302
    assert "wall_token" not in r.headers["Location"]  # dropped from the address bar
    assert wall.get_cookie("cockpit_session") is not None
    assert wall.get(f"/department/{school.own}?kiosk=1").status_code == 200
    # the same link a second time, from another browser: refused
    again = local_app.server.test_client().get(f"/department/{school.own}?wall_token={token}")
    assert again.status_code == 403 and "大屏链接无效" in again.get_data(as_text=True)


def test_wall_is_kiosk_and_bound_to_its_screens(local_app, school):
    acc = local_app.server.extensions["cockpit"].accounts
    token = acc.add_wall("lobby-2", [f"/department/{school.own}"], 30)
    wall = local_app.server.test_client()
    wall.get(f"/department/{school.own}?wall_token={token}")
    r = wall.get(f"/department/{school.own}")
    assert (
        r.status_code == 302 and "kiosk=1" in r.headers["Location"] and "rotate=30" in r.headers["Location"]
    )
    for path in ("/", f"/department/{school.other}", "/indicator/placement_rate", "/admin", "/status"):
        assert wall.get(path + "?kiosk=1&rotate=30").status_code == 403, path


def test_revoked_wall_loses_access_at_once(local_app, school):
    acc = local_app.server.extensions["cockpit"].accounts
    token = acc.add_wall("lobby-3", ["/"], None)
    wall = local_app.server.test_client()
    wall.get(f"/?wall_token={token}")
    assert wall.get("/_dash-layout").status_code == 200
    acc.revoke_wall("lobby-3")
    assert wall.get("/_dash-layout").status_code == 401


def test_forged_wall_token_is_refused_and_audited(local_app):
    r = local_app.server.test_client().get("/?wall_token=" + "A" * 43)
    assert r.status_code == 403
    lines = local_app.server.extensions["cockpit"].accounts.audit_lines(limit=3)
    assert lines[0]["action"] == "wall_enrol" and lines[0]["outcome"] == "refused"


# -- header mode --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def header_app(demo_store, school, secret_env, tmp_path_factory):
    from cockpit.app import create_app
    from cockpit.config import AttributeMapping
    from tests.cockpit.auth.conftest import _settings

    mapping = AttributeMapping(
        role_attribute="role", roles={"院长": "department"}, department_attribute="department"
    )
    settings = _settings(
        demo_store,
        tmp_path_factory.mktemp("auth-header"),
        mode="header",
        header_attributes={"role": "X-Remote-Role", "department": "X-Remote-Department"},
        mapping=mapping,
    )
    app = create_app(settings, schedule=False)
    acc = app.server.extensions["cockpit"].accounts
    if "head" not in {u["name"] for u in acc.users()}:
        acc.add_user("head", ["leader"])
    return app


def test_header_from_a_trusted_proxy_signs_in(header_app):
    c = header_app.server.test_client()
    r = c.get("/_dash-layout", headers={"X-Remote-User": "head"}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert r.status_code == 200


def test_header_from_an_untrusted_address_is_refused_and_audited(header_app):
    c = header_app.server.test_client()
    r = c.get("/", headers={"X-Remote-User": "head"}, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert r.status_code == 403
    assert "未受信任" in r.get_data(as_text=True)
    line = header_app.server.extensions["cockpit"].accounts.audit_lines(limit=1)[0]
    assert line["action"] == "header_untrusted" and line["ip"] == "10.1.2.3"


def test_no_header_is_no_identity(header_app):
    r = header_app.server.test_client().get("/", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert r.status_code == 401


def test_unknown_header_user_gets_the_mapped_grant(header_app, school):
    c = header_app.server.test_client()
    h = {"X-Remote-User": "newdean", "X-Remote-Role": "院长", "X-Remote-Department": school.own}
    assert c.get("/", headers=h, environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200
    assert c.get("/status", headers=h, environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 403


def test_unknown_header_user_without_a_mapped_role_sees_no_access(header_app):
    c = header_app.server.test_client()
    h = {"X-Remote-User": "stranger", "X-Remote-Role": "学生"}
    r = c.get("/", headers=h, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert r.status_code == 403 and "没有访问权限" in r.get_data(as_text=True)
    assert c.get("/_dash-layout", headers=h, environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 403


# -- none mode -------------------------------------------------------------------------------


def test_none_mode_refuses_a_non_loopback_address(demo_store):
    from cockpit.app import create_app

    settings = dataclasses.replace(
        demo_store.settings, server=dataclasses.replace(demo_store.settings.server, host="0.0.0.0")
    )
    with pytest.raises(ConfigError, match="loopback"):
        create_app(settings, schedule=False)


def test_none_mode_shows_the_demo_badge_and_refuses_remote_clients(demo_store):
    from cockpit.app import create_app

    app = create_app(demo_store.settings, schedule=False)
    c = app.server.test_client()
    assert c.get("/", environ_base={"REMOTE_ADDR": "192.168.1.20"}).status_code == 403
    body = {
        "output": "..nav.children...nav.className..",
        "outputs": [{"id": "nav", "property": "children"}, {"id": "nav", "property": "className"}],
        "inputs": [{"id": "url", "property": "search", "value": ""}],
        "changedPropIds": ["url.search"],
    }
    c.get("/", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    csrf = c.get_cookie("_csrf_token").value
    r = c.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf})
    assert "演示模式 · 未启用登录" in r.get_data(as_text=True)


def test_unknown_role_in_config_is_a_clear_error(tmp_path):
    from cockpit.config import load_settings

    cfg = tmp_path / "c.yaml"
    cfg.write_text("auth: {mapping: {roles: {校长: president}}}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown role 'president'"):
        load_settings(env={"COCKPIT_CONFIG": str(cfg)})


def test_a_disabled_store_user_gets_no_grant_from_header_attributes(header_app, school):
    acc = header_app.server.extensions["cockpit"].accounts
    if "gone" not in {u["name"] for u in acc.users()}:
        acc.add_user("gone", ["leader"])
    acc.set_user("gone", disabled=True)
    c = header_app.server.test_client()
    h = {"X-Remote-User": "gone", "X-Remote-Role": "院长", "X-Remote-Department": school.own}
    r = c.get("/", headers=h, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert r.status_code == 403 and "没有访问权限" in r.get_data(as_text=True)
