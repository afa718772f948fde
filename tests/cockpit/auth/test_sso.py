"""CAS and OpenID Connect sign-in, end to end against local test servers.

The cockpit is the real app (``cockpit.app.create_app``) on a small demo snapshot,
driven through Flask's test client as the browser; the campus servers
(tests/support/sso_servers.py) run on 127.0.0.1. The browser's hop to the IdP
and back is done with ``requests`` against the local server, then the URL it
returns is handed back to the test client, as a browser would follow it. The
server-to-server hops (CAS ticket validation, OIDC token and keys) are the
cockpit's own.

What is asserted is the access-control outcome: status codes, redirects, the
session cookie and its row, the "no access" and failure pages, what the page
router renders for a department inside and outside the grant, and audit lines.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import yaml

from cockpit.auth import web
from tests.cockpit.auth.conftest import post_callback, router_body
from tests.support.sso_servers import CasServer, OidcProvider

TODAY = date(2026, 11, 21)
SECRET_KEY = "test-secret-key-" + "x" * 32
COCKPIT = "http://localhost"  # the test client's origin
ROLE_MAP = {"院长": "department", "校长": "leader", "处长": "office"}


# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    """A small demo source and a store with one snapshot (as of TODAY); ~2 s."""
    from cockpit.config import load_settings
    from cockpit.demo import generate
    from cockpit.refresh import run_refresh
    from cockpit.store import Store

    d = tmp_path_factory.mktemp("sso-demo")
    source, store_url = f"sqlite:///{d / 'source.sqlite'}", f"sqlite:///{d / 'store.sqlite'}"
    generate(source, scale=0.05, seed=2026, today=TODAY)
    settings = load_settings(env={"COCKPIT_SOURCE_URL": source, "COCKPIT_STORE_URL": store_url})
    store = Store(settings.store_url)
    run_refresh(settings, TODAY, trigger="cli", store=store)
    assert store.current() is not None and store.current().as_of == TODAY
    store.engine.dispose()
    return d


@pytest.fixture(scope="module")
def cas_server() -> Iterator[CasServer]:
    server = CasServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[OidcProvider]:
    provider = OidcProvider(client_id="cockpit", client_secret="s3cret-client")
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture
def cas(cas_server) -> CasServer:
    cas_server.reset()
    return cas_server


@pytest.fixture
def idp(oidc_provider) -> OidcProvider:
    oidc_provider.reset()
    return oidc_provider


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    monkeypatch.setenv("COCKPIT_SECRET_KEY", SECRET_KEY)
    monkeypatch.delenv("COCKPIT_REDIS_URL", raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")  # the cockpit's own hops stay local


@dataclass
class Cockpit:
    """The app under test: ``client`` (the browser), ``accounts``, ``settings``."""

    app: Any
    client: Any
    accounts: Any
    settings: Any

    def new_browser(self):
        return self.app.server.test_client()

    def audit(self, action: str | None = None, outcome: str | None = None) -> list[dict]:
        lines = self.accounts.audit_lines()
        return [
            a
            for a in lines
            if (action is None or a["action"] == action) and (outcome is None or a["outcome"] == outcome)
        ]

    def session_rows(self) -> list[Any]:
        from sqlalchemy import select

        from cockpit.auth.accounts import auth_session

        with self.accounts.engine.connect() as conn:
            return conn.execute(select(auth_session)).all()


def _build(tmp_path: Path, demo_dir: Path, auth: dict, env: dict | None = None) -> Cockpit:
    """A cockpit on a private copy of the demo store, with ``auth`` as its config section."""
    from cockpit.app import create_app
    from cockpit.config import load_settings

    shutil.copy(demo_dir / "store.sqlite", tmp_path / "store.sqlite")
    cfg = tmp_path / "cockpit.yaml"
    cfg.write_text(yaml.safe_dump({"auth": auth}, allow_unicode=True), encoding="utf-8")
    settings = load_settings(
        env={
            "COCKPIT_CONFIG": str(cfg),
            "COCKPIT_SOURCE_URL": f"sqlite:///{demo_dir / 'source.sqlite'}",
            "COCKPIT_STORE_URL": f"sqlite:///{tmp_path / 'store.sqlite'}",
            **(env or {}),
        },
        root=tmp_path,
    )
    assert settings.auth.mode == auth["mode"]
    app = create_app(settings, schedule=False)
    ctx = app.server.extensions["cockpit"]
    return Cockpit(app=app, client=app.server.test_client(), accounts=ctx.accounts, settings=settings)


MAPPING = {"role_attribute": "role", "roles": ROLE_MAP, "department_attribute": "department"}


@pytest.fixture
def cas_cockpit(tmp_path, demo_dir, cas) -> Cockpit:
    return _build(
        tmp_path,
        demo_dir,
        {
            "mode": "cas",
            "cas": {"server_url": cas.url, "service_url": COCKPIT + "/auth/cas", "version": 3},
            "mapping": MAPPING,
        },
    )


@pytest.fixture
def cas2_cockpit(tmp_path, demo_dir, cas) -> Cockpit:
    return _build(
        tmp_path,
        demo_dir,
        {
            "mode": "cas",
            "cas": {"server_url": cas.url, "service_url": COCKPIT + "/auth/cas", "version": 2},
            "mapping": MAPPING,
        },
    )


@pytest.fixture
def oidc_cockpit(tmp_path, demo_dir, idp) -> Cockpit:
    return _build(
        tmp_path,
        demo_dir,
        {
            "mode": "oidc",
            "oidc": {
                "metadata_url": idp.url + "/.well-known/openid-configuration",
                "client_id": idp.client_id,
                "scope": "openid profile",
            },
            "mapping": MAPPING,
        },
        env={"COCKPIT_OIDC_CLIENT_SECRET": idp.client_secret},
    )


# -- helpers ----------------------------------------------------------------------------------


def _idp_hop(url: str, idp_url: str) -> str:
    """The browser at the IdP: GET ``url`` there, return where it sends the browser back."""
    assert url.startswith(idp_url + "/"), f"expected a redirect to the IdP at {idp_url}, got {url}"
    with requests.Session() as s:
        s.trust_env = False  # 127.0.0.1 only, never a proxy
        r = s.get(url, allow_redirects=False, timeout=10)
    assert r.status_code == 302, f"IdP answered {r.status_code}: {r.text[:200]}"
    back = r.headers["Location"]
    assert back.startswith(COCKPIT + "/auth/"), back
    return back


def _to_idp(client, path: str) -> str:
    """Open ``path`` signed out: the cockpit sends the browser to /login, then to the IdP.
    Returns the IdP URL."""
    r = client.get(path)
    assert r.status_code == 302, r.status_code
    login = r.headers["Location"]
    assert login.startswith("/login?"), login
    r = client.get(login)
    assert r.status_code == 302, (r.status_code, r.get_data(as_text=True)[:300])
    return r.headers["Location"]


def sso_sign_in(cockpit: Cockpit, idp_url: str, path: str = "/", client=None):
    """The whole round trip from opening ``path``; returns the cockpit's answer to
    the IdP's redirect back (/auth/cas or /auth/oidc) and that callback URL."""
    client = client or cockpit.client
    back = _idp_hop(_to_idp(client, path), idp_url)
    return client.get(back), back


def session_cookie(client) -> str | None:
    c = client.get_cookie(web.SESSION_COOKIE)
    return c.value if c is not None and c.value else None


def page_text(client, path: str) -> str:
    """What the Dash pages router renders for ``path`` (the callback the browser makes
    after loading the page), as JSON text."""
    r = post_callback(client, router_body(path))
    assert r.status_code == 200, (r.status_code, r.get_data(as_text=True)[:300])
    return r.get_data(as_text=True)


def logout_post(client):
    csrf = client.get_cookie(web.CSRF_COOKIE)
    return client.post("/logout", data={"csrf": csrf.value if csrf else ""})


# -- safe_next ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/department/JX01?lang=en", "/department/JX01?lang=en"),
        ("/", "/"),
        (None, "/"),
        ("", "/"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("http:/evil.example", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("department/JX01", "/"),
        ("/a\nb", "/"),
    ],
)
def test_safe_next_keeps_only_local_paths(target, expected):
    assert web.safe_next(target) == expected


# -- CAS ------------------------------------------------------------------------------------------


def test_cas3_store_user_keeps_the_store_grant(cas_cockpit, cas):
    cas_cockpit.accounts.add_user("wangwu", ["leader"], display_name="王五")
    cas.reset("wangwu", {"role": ["院长"], "department": ["JX01"]})  # the store wins

    r, back = sso_sign_in(cas_cockpit, cas.url, "/department/JX03?lang=en")

    assert r.status_code == 302
    assert r.headers["Location"] == "/department/JX03?lang=en"  # next survived the round trip
    assert parse_qs(urlsplit(back).query)["next"] == ["/department/JX03?lang=en"]
    assert session_cookie(cas_cockpit.client)
    assert cas.validations == [
        {
            "path": "/p3/serviceValidate",
            "service": COCKPIT + "/auth/cas?next=%2Fdepartment%2FJX03%3Flang%3Den",
            "ticket": cas.issued[0],
            "outcome": "ok",
        }
    ]
    rows = cas_cockpit.session_rows()
    assert [(s.subject, s.source, s.mapped) for s in rows] == [("wangwu", "cas", None)]
    logins = cas_cockpit.audit("login")
    assert [(a["actor"], a["target"], a["outcome"]) for a in logins] == [("wangwu", "cas", "ok")]

    # A leader: the data status (leaders and admins only) and any department.
    assert cas_cockpit.client.get("/status").status_code == 200
    assert "电气与自动化学院" in page_text(cas_cockpit.client, "/department/JX02")


def test_cas3_unknown_user_gets_the_mapped_department_grant(cas_cockpit, cas):
    cas.reset("zhaoliu", {"role": ["院长"], "department": ["JX01"], "displayName": ["赵六"]})

    r, _ = sso_sign_in(cas_cockpit, cas.url, "/department/JX01")

    assert r.status_code == 302 and r.headers["Location"] == "/department/JX01"
    rows = cas_cockpit.session_rows()
    assert len(rows) == 1 and rows[0].subject == "zhaoliu" and rows[0].source == "cas"
    assert rows[0].mapped["roles"] == ["department"] and rows[0].mapped["departments"] == ["JX01"]

    client = cas_cockpit.client
    assert client.get("/department/JX01").status_code == 200
    own = page_text(client, "/department/JX01")
    assert "智能制造学院" in own and "没有找到学院" not in own
    other = page_text(client, "/department/JX02")  # outside the grant reads as unknown
    assert "没有找到学院“JX02”" in other and "电气与自动化学院" not in other
    r = client.get("/status")  # leaders and admins only
    assert r.status_code == 403 and "无权查看" in r.get_data(as_text=True)
    r = client.get("/admin")
    assert r.status_code == 403
    assert cas_cockpit.audit("refused", "refused")[0]["actor"] == "zhaoliu"


def test_cas3_unknown_user_without_a_mapped_role_sees_no_access(cas_cockpit, cas):
    cas.reset("student1", {"role": ["学生"], "department": ["JX01"]})

    r, _ = sso_sign_in(cas_cockpit, cas.url, "/")

    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert session_cookie(cas_cockpit.client)  # signed in ...
    r = cas_cockpit.client.get("/")
    body = r.get_data(as_text=True)
    assert r.status_code == 403  # ... but nothing to see
    assert "没有访问权限" in body and "student1" in body
    assert 'action="/logout"' in body  # and may sign out
    refused = cas_cockpit.audit(outcome="refused")
    assert {a["actor"] for a in refused} == {"student1"}
    assert any("no mapped role" in a["detail"] for a in refused)
    assert any(a["action"] == "refused" and a["target"] == "/" for a in refused)
    # No figure either through the page router or the data API.
    r = cas_cockpit.client.get("/api/snapshot")
    assert r.status_code == 403


def test_cas_user_disabled_in_the_store_gets_no_grant_from_attributes(cas_cockpit, cas):
    """A disabled store user stays shut out, whatever the IdP releases (fail closed)."""
    cas_cockpit.accounts.add_user("wangwu", ["department"], departments=["JX01"])
    cas_cockpit.accounts.set_user("wangwu", disabled=True)
    cas.reset("wangwu", {"role": ["校长"]})

    r, _ = sso_sign_in(cas_cockpit, cas.url, "/")

    assert r.status_code == 302
    r = cas_cockpit.client.get("/")
    assert r.status_code == 403 and "没有访问权限" in r.get_data(as_text=True)
    assert cas_cockpit.client.get("/status").status_code == 403
    assert cas_cockpit.session_rows()[0].mapped["roles"] == []
    assert any("disabled" in a["detail"] for a in cas_cockpit.audit("login", "refused"))


def test_cas_forged_ticket_fails_closed(cas_cockpit, cas):
    r = cas_cockpit.client.get("/auth/cas?ticket=ST-1-forged")

    assert r.status_code == 401
    assert "统一身份认证失败" in r.get_data(as_text=True)
    assert session_cookie(cas_cockpit.client) is None
    assert cas_cockpit.session_rows() == []
    failed = cas_cockpit.audit("login", "failed")
    assert len(failed) == 1 and "INVALID_TICKET" in failed[0]["detail"]
    assert cas_cockpit.client.get("/").status_code == 302  # still signed out


def test_cas_ticket_without_ticket_fails(cas_cockpit):
    r = cas_cockpit.client.get("/auth/cas")
    assert r.status_code == 401 and "统一身份认证失败" in r.get_data(as_text=True)
    assert cas_cockpit.audit("login", "failed")[0]["detail"] == "no ticket"


def test_cas_replayed_ticket_fails(cas_cockpit, cas):
    cas_cockpit.accounts.add_user("wangwu", ["leader"])
    cas.reset("wangwu")
    r, back = sso_sign_in(cas_cockpit, cas.url, "/")
    assert r.status_code == 302

    thief = cas_cockpit.new_browser()
    r = thief.get(back)  # the same ticket again, from another browser

    assert r.status_code == 401 and "统一身份认证失败" in r.get_data(as_text=True)
    assert session_cookie(thief) is None
    assert [v["outcome"] for v in cas.validations] == ["ok", "INVALID_TICKET"]
    assert len(cas_cockpit.session_rows()) == 1  # only the first sign-in
    assert len(cas_cockpit.audit("login", "failed")) == 1


def test_cas_ticket_is_bound_to_its_service(cas_cockpit, cas):
    """A ticket issued for one service URL (next=/status) does not validate for another."""
    cas_cockpit.accounts.add_user("wangwu", ["leader"])
    cas.reset("wangwu")
    back = _idp_hop(_to_idp(cas_cockpit.client, "/status"), cas.url)
    ticket = parse_qs(urlsplit(back).query)["ticket"][0]

    r = cas_cockpit.client.get("/auth/cas?ticket=" + ticket)  # next dropped: another service

    assert r.status_code == 401
    assert cas.validations[-1]["outcome"] == "INVALID_SERVICE"
    assert "INVALID_SERVICE" in cas_cockpit.audit("login", "failed")[0]["detail"]
    assert session_cookie(cas_cockpit.client) is None


def test_cas2_store_user_signs_in_and_attributes_are_not_used(cas2_cockpit, cas):
    cas2_cockpit.accounts.add_user("dean1", ["department"], departments=["JX02"])
    cas.reset("dean1", {"role": ["校长"]})  # CAS 2 releases no attributes

    r, _ = sso_sign_in(cas2_cockpit, cas.url, "/department/JX02")

    assert r.status_code == 302 and r.headers["Location"] == "/department/JX02"
    assert [v["path"] for v in cas.validations] == ["/serviceValidate"]
    assert "电气与自动化学院" in page_text(cas2_cockpit.client, "/department/JX02")
    assert "没有找到学院“JX01”" in page_text(cas2_cockpit.client, "/department/JX01")

    # An unknown user: CAS 2 released nothing to map, so no grant (fail closed).
    other = cas2_cockpit.new_browser()
    cas.reset("stranger", {"role": ["校长"]})
    r, _ = sso_sign_in(cas2_cockpit, cas.url, "/", client=other)
    assert r.status_code == 302
    r = other.get("/")
    assert r.status_code == 403 and "没有访问权限" in r.get_data(as_text=True)


def test_cas_single_logout_ends_the_session(cas_cockpit, cas):
    cas_cockpit.accounts.add_user("wangwu", ["leader"])
    cas.reset("wangwu")
    r, _ = sso_sign_in(cas_cockpit, cas.url, "/")
    assert r.status_code == 302
    ticket = cas.issued[0]
    bystander = cas_cockpit.new_browser()  # another person, another ticket
    cas.reset("wangwu")
    sso_sign_in(cas_cockpit, cas.url, "/", client=bystander)
    assert cas_cockpit.client.get("/").status_code == 200
    assert bystander.get("/").status_code == 200

    # The CAS server's back-channel POST, without any cookie or CSRF token.
    r = cas_cockpit.new_browser().post("/auth/cas", data={"logoutRequest": CasServer.logout_request(ticket)})

    assert r.status_code == 200
    r = cas_cockpit.client.get("/department/JX01")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=")
    assert bystander.get("/").status_code == 200  # only the named ticket's session ended
    slo = cas_cockpit.audit("logout")
    assert [(a["target"], a["outcome"], a["detail"]) for a in slo] == [("cas-slo", "ok", "1 session(s)")]


def test_cas_single_logout_for_an_unknown_ticket_ends_nothing(cas_cockpit, cas):
    cas_cockpit.accounts.add_user("wangwu", ["leader"])
    cas.reset("wangwu")
    sso_sign_in(cas_cockpit, cas.url, "/")

    r = cas_cockpit.new_browser().post(
        "/auth/cas", data={"logoutRequest": CasServer.logout_request("ST-999-unknown")}
    )

    assert r.status_code == 200
    assert cas_cockpit.client.get("/").status_code == 200
    assert cas_cockpit.audit("logout")[0]["outcome"] == "failed"


def test_cas_logout_goes_to_the_cas_logout(cas_cockpit, cas):
    cas_cockpit.accounts.add_user("wangwu", ["leader"])
    cas.reset("wangwu")
    sso_sign_in(cas_cockpit, cas.url, "/")
    client = cas_cockpit.client

    r = client.post("/logout", data={"csrf": "wrong"})  # CSRF: no sign-out
    assert r.status_code == 403
    assert client.get("/").status_code == 200

    r = logout_post(client)

    assert r.status_code == 302
    target = r.headers["Location"]
    assert target.startswith(cas.url + "/logout?")
    assert parse_qs(urlsplit(target).query)["service"] == [COCKPIT + "/auth/cas"]
    assert requests.get(target, timeout=10).status_code == 200
    assert cas.logouts == [COCKPIT + "/auth/cas"]
    assert session_cookie(client) is None
    assert cas_cockpit.session_rows() == []
    r = client.get("/")
    assert r.status_code == 302 and r.headers["Location"] == "/login?next=%2F"
    assert [a["actor"] for a in cas_cockpit.audit("logout")] == ["wangwu"]


@pytest.mark.parametrize("evil", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_cas_absolute_next_is_reduced_to_home(cas_cockpit, cas, evil):
    cas_cockpit.accounts.add_user("wangwu", ["leader"])
    cas.reset("wangwu")
    client = cas_cockpit.client

    r = client.get("/login", query_string={"next": evil})
    assert r.status_code == 302
    service = parse_qs(urlsplit(r.headers["Location"]).query)["service"][0]
    assert service == COCKPIT + "/auth/cas"  # no next for home

    r = client.get(_idp_hop(r.headers["Location"], cas.url))
    assert r.status_code == 302 and r.headers["Location"] == "/"

    # A forged callback whose service carries the evil next: still home (and a bad ticket).
    r = client.get("/auth/cas", query_string={"next": evil, "ticket": "ST-1-x"})
    assert r.status_code == 401 and "evil" not in r.headers.get("Location", "")


# -- OpenID Connect ------------------------------------------------------------------------------


def test_oidc_code_flow_with_state_nonce_and_store_grant(oidc_cockpit, idp):
    oidc_cockpit.accounts.add_user("lisi", ["leader"])
    idp.reset("lisi", role="院长", department="JX01")  # the store wins

    to_idp = _to_idp(oidc_cockpit.client, "/department/JX02?lang=en")
    query = parse_qs(urlsplit(to_idp).query)
    assert query["response_type"] == ["code"] and query["client_id"] == ["cockpit"]
    assert query["redirect_uri"] == [COCKPIT + "/auth/oidc"]
    assert "openid" in query["scope"][0].split()
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    back = _idp_hop(to_idp, idp.url)
    assert parse_qs(urlsplit(back).query)["state"] == query["state"]

    r = oidc_cockpit.client.get(back)

    assert r.status_code == 302 and r.headers["Location"] == "/department/JX02?lang=en"
    assert session_cookie(oidc_cockpit.client)
    assert [t["outcome"] for t in idp.token_requests] == ["ok"]  # client secret and PKCE verifier
    assert len(idp.token_requests[0]["code_verifier"]) >= 43
    rows = oidc_cockpit.session_rows()
    assert [(s.subject, s.source, s.mapped) for s in rows] == [("lisi", "oidc", None)]
    assert [(a["actor"], a["target"], a["outcome"]) for a in oidc_cockpit.audit("login")] == [
        ("lisi", "oidc", "ok")
    ]
    assert oidc_cockpit.client.get("/status").status_code == 200

    # The code and state are single-use: replaying the callback signs no one in.
    replay = oidc_cockpit.new_browser()
    r = replay.get(back)
    assert r.status_code == 401 and session_cookie(replay) is None


def test_oidc_forged_state_fails_closed(oidc_cockpit, idp):
    oidc_cockpit.accounts.add_user("lisi", ["leader"])
    idp.reset("lisi")
    back = _idp_hop(_to_idp(oidc_cockpit.client, "/"), idp.url)
    parts = urlsplit(back)
    code = parse_qs(parts.query)["code"][0]

    r = oidc_cockpit.client.get("/auth/oidc", query_string={"code": code, "state": "forged-state"})

    assert r.status_code == 401 and "统一身份认证失败" in r.get_data(as_text=True)
    assert session_cookie(oidc_cockpit.client) is None
    assert oidc_cockpit.session_rows() == []
    assert idp.token_requests == []  # refused before the code was spent
    assert len(oidc_cockpit.audit("login", "failed")) == 1
    assert oidc_cockpit.client.get("/").status_code == 302


def test_oidc_callback_from_another_browser_fails(oidc_cockpit, idp):
    """Login CSRF: a code+state minted for one browser does not sign in another."""
    oidc_cockpit.accounts.add_user("lisi", ["leader"])
    idp.reset("lisi")
    back = _idp_hop(_to_idp(oidc_cockpit.client, "/"), idp.url)

    victim = oidc_cockpit.new_browser()
    r = victim.get(back)

    assert r.status_code == 401 and session_cookie(victim) is None
    assert oidc_cockpit.session_rows() == []


def test_oidc_wrong_signature_fails_closed(oidc_cockpit, idp):
    oidc_cockpit.accounts.add_user("lisi", ["leader"])
    idp.reset("lisi")
    idp.sign_with_wrong_key = True

    r, _ = sso_sign_in(oidc_cockpit, idp.url, "/")

    assert r.status_code == 401 and "统一身份认证失败" in r.get_data(as_text=True)
    assert [t["outcome"] for t in idp.token_requests] == ["ok"]  # the token came, its signature is bad
    assert session_cookie(oidc_cockpit.client) is None
    assert oidc_cockpit.session_rows() == []
    failed = oidc_cockpit.audit("login", "failed")
    assert len(failed) == 1 and "signature" in failed[0]["detail"].lower()


def test_oidc_wrong_nonce_fails_closed(oidc_cockpit, idp):
    oidc_cockpit.accounts.add_user("lisi", ["leader"])
    idp.reset("lisi", nonce="not-the-nonce-we-sent")  # the provider echoes a wrong nonce

    r, _ = sso_sign_in(oidc_cockpit, idp.url, "/")

    assert r.status_code == 401
    assert session_cookie(oidc_cockpit.client) is None
    assert "nonce" in oidc_cockpit.audit("login", "failed")[0]["detail"].lower()


def test_oidc_unknown_user_gets_the_mapped_grant(oidc_cockpit, idp):
    idp.reset("dean9", role="院长", department="JX01")

    r, _ = sso_sign_in(oidc_cockpit, idp.url, "/department/JX01")

    assert r.status_code == 302 and r.headers["Location"] == "/department/JX01"
    rows = oidc_cockpit.session_rows()
    assert rows[0].subject == "dean9" and rows[0].mapped["departments"] == ["JX01"]
    assert "智能制造学院" in page_text(oidc_cockpit.client, "/department/JX01")
    assert "没有找到学院“JX02”" in page_text(oidc_cockpit.client, "/department/JX02")
    assert oidc_cockpit.client.get("/status").status_code == 403


def test_oidc_unknown_user_without_a_mapped_role_sees_no_access(oidc_cockpit, idp):
    idp.reset("guest1", role="访客")

    r, _ = sso_sign_in(oidc_cockpit, idp.url, "/")

    assert r.status_code == 302
    r = oidc_cockpit.client.get("/")
    assert r.status_code == 403 and "没有访问权限" in r.get_data(as_text=True)
    refused = oidc_cockpit.audit(outcome="refused")
    assert refused and {a["actor"] for a in refused} == {"guest1"}


def test_oidc_claims_from_userinfo_map_to_a_grant(oidc_cockpit, idp):
    """Providers often release the role and department claims only at /userinfo."""
    idp.reset("dean7")
    idp.userinfo_claims = {"role": "院长", "department": "JX02"}

    r, _ = sso_sign_in(oidc_cockpit, idp.url, "/")

    assert r.status_code == 302
    rows = oidc_cockpit.session_rows()
    assert rows[0].subject == "dean7" and rows[0].mapped["departments"] == ["JX02"]
    assert "电气与自动化学院" in page_text(oidc_cockpit.client, "/department/JX02")
    assert "没有找到学院“JX01”" in page_text(oidc_cockpit.client, "/department/JX01")


def test_oidc_userinfo_about_another_subject_fails(oidc_cockpit, idp):
    idp.reset("dean7")
    idp.userinfo_claims = {"sub": "sub-someone-else", "role": "校长"}

    r, _ = sso_sign_in(oidc_cockpit, idp.url, "/")

    assert r.status_code == 401 and session_cookie(oidc_cockpit.client) is None
    assert oidc_cockpit.session_rows() == []
    assert "another subject" in oidc_cockpit.audit("login", "failed")[0]["detail"]


def test_oidc_public_client_uses_pkce_without_a_secret(tmp_path, demo_dir):
    public = OidcProvider(client_id="cockpit-public", client_secret=None)
    try:
        cockpit = _build(
            tmp_path,
            demo_dir,
            {
                "mode": "oidc",
                "oidc": {
                    "metadata_url": public.url + "/.well-known/openid-configuration",
                    "client_id": "cockpit-public",
                },
                "mapping": MAPPING,
            },
        )
        public.reset("leader1", role="校长")

        r, _ = sso_sign_in(cockpit, public.url, "/status")

        assert r.status_code == 302 and r.headers["Location"] == "/status"
        assert [t["outcome"] for t in public.token_requests] == ["ok"]
        assert cockpit.client.get("/status").status_code == 200  # 校长 -> leader
    finally:
        public.stop()


def test_oidc_absolute_next_is_reduced_to_home(oidc_cockpit, idp):
    oidc_cockpit.accounts.add_user("lisi", ["leader"])
    idp.reset("lisi")
    client = oidc_cockpit.client

    r = client.get("/login", query_string={"next": "//evil.example/x"})
    r = client.get(_idp_hop(r.headers["Location"], idp.url))

    assert r.status_code == 302 and r.headers["Location"] == "/"
