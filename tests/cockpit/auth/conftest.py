"""An app in ``auth.mode: local`` over the demo school's store, its users, and signed-in
Flask test clients per role. Everything here talks to the real app through HTTP
(the test client): the same requests a browser or an attacker would send."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest

PASSWORD = "correct horse battery"
SECRET = "x" * 40


@dataclasses.dataclass
class School:
    """The demo snapshot's departments and who may see which."""

    own: str  # the dean's department
    other: str  # another academic department
    labels: dict[str, Any]

    def names_of_others(self, allowed: set[str]) -> set[str]:
        """Names of every academic department (二级学院) outside ``allowed`` and of its majors.
        (Offices are not listed: approval steps are named after them — "财务处审核" —
        and those are school-level figures every scope sees.)"""
        out: set[str] = set()
        for code, lab in self.labels["department"].items():
            if code in allowed or lab.get("kind", "academic") != "academic":
                continue
            out |= {lab.get("name_zh"), lab.get("name_en")}
        for lab in self.labels["major"].values():
            if lab.get("department") in allowed:
                continue
            out |= {lab.get("name_zh"), lab.get("name_en")}
        return {n for n in out if n}


@pytest.fixture(scope="session")
def school(demo_store) -> School:
    snap = demo_store.store.get(demo_store.snapshot_id)
    academic = [
        c for c, lab in snap.labels["department"].items() if lab.get("kind", "academic") == "academic"
    ]
    return School(own=academic[0], other=academic[1], labels=snap.labels)


def _settings(demo_store, tmp_path, **auth_changes):
    base = demo_store.settings
    auth = dataclasses.replace(base.auth, **auth_changes)
    reports = dataclasses.replace(base.reports, archive=tmp_path / "archive")
    return dataclasses.replace(base, auth=auth, reports=reports, store_url=demo_store.store_url)


@pytest.fixture(scope="session")
def secret_env() -> Iterator[None]:
    old = os.environ.get("COCKPIT_SECRET_KEY")
    os.environ["COCKPIT_SECRET_KEY"] = SECRET
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("COCKPIT_SECRET_KEY", None)
        else:
            os.environ["COCKPIT_SECRET_KEY"] = old


@pytest.fixture(scope="session")
def local_app(demo_store, school, secret_env, tmp_path_factory):
    """The cockpit in local mode with a leader, a dean, an office, an admin-only user."""
    from cockpit.app import create_app

    tmp = tmp_path_factory.mktemp("auth-local")
    app = create_app(
        _settings(demo_store, tmp, mode="local", login_rate_limit="1000 per minute"), schedule=False
    )
    acc = app.server.extensions["cockpit"].accounts
    existing = {u["name"] for u in acc.users()}
    for name, roles, depts, fams in (
        ("boss", ["leader"], None, None),
        ("dean", ["department"], [school.own], None),
        ("jiuye", ["office"], None, ["employment"]),
        ("it", ["admin"], None, None),
        ("both", ["leader", "admin"], None, None),
    ):
        if name not in existing:
            acc.add_user(name, roles, depts, fams, password=PASSWORD)
    return app


_CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


def sign_in(client, name: str, password: str = PASSWORD, **environ) -> Any:
    """The local sign-in form as a browser fills it in; returns the POST's response."""
    kw = {"environ_base": environ} if environ else {}
    page = client.get("/login", **kw)
    csrf = _CSRF_FIELD.search(page.get_data(as_text=True)).group(1)
    return client.post(
        "/login", data={"username": name, "password": password, "csrf": csrf, "next": "/"}, **kw
    )


def csrf_of(client) -> str:
    cookie = client.get_cookie("_csrf_token")
    return cookie.value if cookie else ""


def router_body(path: str, search: str = "") -> dict[str, Any]:
    """The Dash pages router callback's request, as the browser sends it when a page opens."""
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }


def post_callback(client, body: dict[str, Any]) -> Any:
    """A Dash callback POST with the session's CSRF token, as the page's renderer sends it."""
    return client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf_of(client)})


def router(client, path: str, search: str = "") -> tuple[int, str]:
    """(status, text) of the pages router opening ``path`` with ``search``."""
    r = post_callback(client, router_body(path, search))
    return r.status_code, r.get_data(as_text=True)


@pytest.fixture
def as_user(local_app):
    """``as_user(name)`` -> a test client signed in as that user."""

    def make(name: str):
        client = local_app.server.test_client()
        r = sign_in(client, name)
        assert r.status_code == 302, r.get_data(as_text=True)[:300]
        return client

    return make
