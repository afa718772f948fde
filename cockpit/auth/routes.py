"""The sign-in and sign-out routes of every mode.

``/login``       local: the form (GET) and its check (POST, CSRF, rate-limited);
                 cas / oidc: a redirect to the campus IdP; header / none: home.
``/logout``      POST with the session's CSRF token (GET shows the button).
``/auth/cas``    the CAS service URL: ticket validation (GET) and single
                 logout requests from the CAS server (POST logoutRequest).
``/auth/oidc``   the OpenID Connect redirect URI (Authlib).

Every outcome is an audit line; a failure is a page that says what happened,
never a traceback.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from typing import Any

from flask import Flask, Response, current_app, g, redirect, request

from cockpit.auth import cas, web
from cockpit.auth import pages as auth_pages
from cockpit.auth.identity import Identity
from cockpit.auth.mapping import identity_from_attributes
from cockpit.config import Settings

log = logging.getLogger(__name__)


def _ctx() -> Any:
    return current_app.extensions["cockpit"]


def _settings() -> Settings:
    return _ctx().settings


def _school_name() -> str:
    try:
        snap = _ctx().store.current()
        return (snap.school or {}).get("name_zh", "") if snap else ""
    except Exception:
        return ""


# -- local sign-in ------------------------------------------------------------------


def _login_csrf(nonce: str) -> str:
    return hmac.new(current_app.secret_key.encode(), b"login:" + nonce.encode(), hashlib.sha256).hexdigest()


def login_form(error_key: str | None = None, status: int = 200, username: str = "") -> Response:
    lang = auth_pages.lang_of_request()
    nonce = request.cookies.get(web.LOGIN_COOKIE) or secrets.token_urlsafe(24)
    text = auth_pages.text
    resp = auth_pages.page(
        status,
        lang=lang,
        title=text("sign_in", lang),
        school=_school_name(),
        error=text(error_key, lang) if error_key else None,
        form={
            "csrf": _login_csrf(nonce),
            "next": web.safe_next(request.values.get("next")),
            "username": username,
            "user_label": text("username", lang),
            "password_label": text("password", lang),
            "submit": text("sign_in", lang),
        },
    )
    resp.set_cookie(web.LOGIN_COOKIE, nonce, httponly=True, samesite="Strict", secure=web._secure())
    return resp


def _login_get() -> Response:
    mode = _settings().auth.mode
    if mode == "cas":
        return redirect(cas.login_url(_settings(), web.safe_next(request.args.get("next"))))
    if mode == "oidc":
        from cockpit.auth import oidc

        return oidc.authorize_redirect(web.safe_next(request.args.get("next")))
    if mode in ("none", "header"):
        return redirect(web.safe_next(request.args.get("next")))
    return login_form()


def _login_post() -> Response:
    if _settings().auth.mode != "local":
        return redirect("/login")
    nonce = request.cookies.get(web.LOGIN_COOKIE, "")
    sent = request.form.get("csrf", "")
    username = (request.form.get("username") or "").strip()[:64]
    if not nonce or not hmac.compare_digest(sent, _login_csrf(nonce)):
        web.audit("login", target=username or None, outcome="refused", detail="login form CSRF")
        return login_form("bad_form", 400, username)
    ident = _ctx().accounts.verify_password(username, request.form.get("password") or "")
    if ident is None:
        web.audit("login", target=username or None, outcome="failed", detail="wrong user name or password")
        return login_form("bad_login", 401, username)
    return sign_in(ident, "local", web.safe_next(request.form.get("next")))


def sign_in(ident: Identity, source: str, next_url: str, **session_kw: Any) -> Response:
    """Open a session for ``ident`` and go to ``next_url``; audit the sign-in."""
    resp = redirect(next_url)
    web.start_session(resp, ident, source, **session_kw)
    resp.delete_cookie(web.LOGIN_COOKIE)
    g.identity = ident
    why = g.pop("sso_no_grant", None)
    if why is None:
        web.audit("login", target=source)
    else:
        web.audit("login", target=source, outcome="refused", detail=f"no grant: {why}")
    return resp


def sso_identity(name: str, source: str, attributes: dict[str, Any]) -> tuple[Identity, dict | None]:
    """A campus user: the store's grant when it knows the name, else the mapped
    attributes (or no grant at all: the "no access" page)."""
    accounts = _ctx().accounts
    ident = accounts.user_identity(name, source)
    if ident is not None:
        return ident, None
    if accounts.is_disabled(name):
        # Disabled by an admin: the IdP's attributes must not let them back in.
        mapped, why = None, "disabled in the store"
    else:
        mapped, why = identity_from_attributes(name, source, attributes, _settings().auth.mapping)
    if mapped is None:
        # Signed in, but no grant: the "no access" page. The sign-in's audit line says why.
        g.sso_no_grant = why
        mapped = Identity(name=name, roles=frozenset(), source=source, display=name)
    return mapped, mapped.as_mapped()


# -- sign-out --------------------------------------------------------------------------


def _logout_get() -> Response:
    ident = web.current_identity()
    lang = auth_pages.lang_of_request()
    if ident is None or ident.kind != "user":
        return auth_pages.message("signed_out", status=200)
    return auth_pages.page(
        200,
        lang=lang,
        title=auth_pages.text("sign_out", lang),
        who=auth_pages.text("signed_in_as", lang).format(name=ident.display or ident.name),
        logout={"csrf": web.csrf_token(), "label": auth_pages.text("sign_out", lang)},
    )


def _logout_post() -> Response:
    ident = web.current_identity()
    mode = _settings().auth.mode
    # The page rule lets /logout through for identities without a grant (so that
    # they can sign out); the form's CSRF token is checked here instead.
    expected = web.csrf_token()
    sent = request.form.get("csrf") or request.headers.get(web.CSRF_HEADER) or ""
    if not expected or not hmac.compare_digest(sent, expected):
        web.audit("csrf", target="/logout", outcome="refused")
        return Response("CSRF token missing or wrong\n", status=403, mimetype="text/plain")
    if ident is not None:
        web.audit("logout")
    if mode == "cas":
        resp = redirect(cas.logout_url(_settings()))
    else:
        resp = auth_pages.message("signed_out", status=200)
    web.end_session(resp)
    return resp


# -- CAS and OIDC callbacks ------------------------------------------------------------------


def _cas_callback() -> Response:
    if _settings().auth.mode != "cas":
        return auth_pages.message("not_found", status=404)
    if request.method == "POST":  # single logout from the CAS server
        ticket = cas.logout_ticket(request.form.get("logoutRequest", ""))
        ended = _ctx().accounts.end_sso_sessions(ticket) if ticket else 0
        web.audit(
            "logout", target="cas-slo", outcome="ok" if ended else "failed", detail=f"{ended} session(s)"
        )
        return Response("", status=200)
    ticket = request.args.get("ticket", "")
    next_url = web.safe_next(request.args.get("next"))
    try:
        name, attributes = cas.validate(_settings(), ticket, next_url)
    except cas.CasError as e:
        web.audit("login", target="cas", outcome="failed", detail=str(e))
        return auth_pages.message("sso_failed", status=401)
    ident, mapped = sso_identity(name, "cas", attributes)
    return sign_in(ident, "cas", next_url, mapped=mapped, sso_ticket=ticket)


def _oidc_callback() -> Response:
    if _settings().auth.mode != "oidc":
        return auth_pages.message("not_found", status=404)
    from cockpit.auth import oidc

    try:
        name, claims, next_url = oidc.complete()
    except oidc.OidcError as e:
        web.audit("login", target="oidc", outcome="failed", detail=str(e))
        return auth_pages.message("sso_failed", status=401)
    ident, mapped = sso_identity(name, "oidc", claims)
    return sign_in(ident, "oidc", web.safe_next(next_url), mapped=mapped)


def _rate_limited(_exc: Exception) -> Response:
    web.audit("login", target=request.form.get("username") or None, outcome="refused", detail="rate limited")
    return login_form("rate_limited", 429, (request.form.get("username") or "")[:64])


def register(server: Flask, settings: Settings) -> None:
    limiter = server.extensions["cockpit_limiter"]
    limit = settings.auth.login_rate_limit

    def by_user() -> str:
        return "user:" + (request.form.get("username") or "").strip().lower()[:64]

    login_post = limiter.limit(limit, methods=["POST"], on_breach=None)(
        limiter.limit(limit, key_func=by_user, methods=["POST"])(_login_post)
    )

    def login():
        return _login_get() if request.method == "GET" else login_post()

    def logout():
        return _logout_get() if request.method == "GET" else _logout_post()

    server.add_url_rule("/login", "login", login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", logout, methods=["GET", "POST"])
    server.add_url_rule("/auth/cas", "auth_cas", _cas_callback, methods=["GET", "POST"])
    server.add_url_rule("/auth/oidc", "auth_oidc", _oidc_callback, methods=["GET"])
    from flask_limiter.errors import RateLimitExceeded

    server.register_error_handler(RateLimitExceeded, _rate_limited)


__all__ = ["login_form", "register", "sign_in", "sso_identity"]
