"""Behind nginx every connection comes from 127.0.0.1: the client's address for the sign-in
rate limit and the audit log is the one the trusted proxy appended to X-Forwarded-For
(cockpit.auth.web.client_address); from any other peer that header is ignored."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from scripts.topology import form_csrf


@pytest.fixture
def app(demo_store, tmp_path, monkeypatch):
    from cockpit.app import create_app

    monkeypatch.setenv("COCKPIT_SECRET_KEY", "k" * 40)
    monkeypatch.delenv("COCKPIT_REDIS_URL", raising=False)  # the limiter's counters in this process
    store = tmp_path / "store.sqlite"
    shutil.copy(demo_store.store_url.removeprefix("sqlite:///"), store)
    base = demo_store.settings
    auth = dataclasses.replace(base.auth, mode="local", login_rate_limit="2 per minute")
    return create_app(dataclasses.replace(base, auth=auth, store_url=f"sqlite:///{store}"), schedule=False)


def _attempt(app, n: int, peer: str, forwarded: str | None) -> int:
    """One failed sign-in (a new user name each time: only the per-address limit counts)."""
    client = app.server.test_client()
    environ = {"REMOTE_ADDR": peer}
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    page = client.get("/login", environ_base=environ, headers=headers).get_data(as_text=True)
    data = {"username": f"nobody{n}", "password": "wrong", "csrf": form_csrf(page), "next": "/"}
    return client.post("/login", data=data, environ_base=environ, headers=headers).status_code


def _new_audit_lines(app, before: list[dict]) -> list[dict]:
    """The audit lines written since ``before`` (the store copy holds earlier tests' lines)."""
    return [ln for ln in app.server.extensions["cockpit"].accounts.audit_lines() if ln not in before]


def test_rate_limit_per_client_behind_the_proxy(app):
    before = app.server.extensions["cockpit"].accounts.audit_lines()
    # nginx (127.0.0.1, trusted) forwards two clients; a forged first entry changes nothing.
    assert [_attempt(app, i, "127.0.0.1", f"6.6.6.{i}, 203.0.113.5") for i in range(3)][-1] == 429
    assert _attempt(app, 3, "127.0.0.1", "203.0.113.6") != 429  # another client: its own limit
    lines = _new_audit_lines(app, before)
    assert {"203.0.113.5", "203.0.113.6"} <= {ln["ip"] for ln in lines}
    assert "127.0.0.1" not in {ln["ip"] for ln in lines if ln["action"] == "login"}


def test_forwarded_for_from_an_untrusted_peer_is_ignored(app):
    before = app.server.extensions["cockpit"].accounts.audit_lines()
    codes = [_attempt(app, i, "198.51.100.7", f"203.0.113.{i}") for i in range(3)]
    assert codes[-1] == 429  # limited by the peer's own address, whatever the header says
    ips = {ln["ip"] for ln in _new_audit_lines(app, before)}
    assert "198.51.100.7" in ips and "203.0.113.1" not in ips
