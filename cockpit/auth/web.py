"""Access control on the Flask server: who the request is, and whether it may go on.

``init_app(server, ctx)`` (called by ``cockpit.app.create_app``) installs:

* a ``before_request`` that resolves the identity from the server-side session
  (or the trusted proxy header, or the demo's loopback rule) into ``g.identity``
  and refuses everything it may not see: deny by default, only static assets,
  the sign-in routes and ``/healthz`` are public;
* the page-level rule (``Identity.may_open``) on page loads AND on the Dash
  pages router callback, so a crafted callback POST cannot open a page the URL
  could not;
* CSRF: a per-session token, sent back by Dash's renderer from the
  ``_csrf_token`` cookie as ``X-CSRFToken`` on every callback, and as a form
  field by the sign-in and sign-out forms;
* security headers (CSP under which Dash and Plotly run, frame-ancestors,
  nosniff) and error pages that never show a traceback;
* the routes ``/login``, ``/logout``, ``/auth/cas``, ``/auth/oidc``.

Pages and callbacks get the scope with ``request_scope()``; nothing the
browser sends enters it.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import ipaddress
import logging
import re
import secrets
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Flask, Response, current_app, g, redirect, request
from werkzeug.exceptions import HTTPException

from cockpit.auth import pages as auth_pages
from cockpit.auth.accounts import Accounts, utcnow
from cockpit.auth.identity import DEMO, Identity
from cockpit.auth.mapping import identity_from_attributes
from cockpit.config import ConfigError, Settings
from cockpit.scope import OutOfScope, Scope

log = logging.getLogger(__name__)

SESSION_COOKIE = "cockpit_session"
CSRF_COOKIE = "_csrf_token"  # the name Dash's renderer reads (X-CSRFToken header)
CSRF_HEADER = "X-CSRFToken"
LOGIN_COOKIE = "cockpit_login"
RENDER_COOKIE = "cockpit_render"
WALL_TOKEN_PARAM = "wall_token"
# An export's headless browser (cockpit/reports/browser.py) loads the running app
# with a signed, short-lived token of the requester's own identity: never longer
# than this, never for these paths (no export from an export, no file, no sign-in).
RENDER_TOKEN_SECONDS = 120
RENDER_REFUSED = ("/export/", "/reports/files/", "/login", "/logout", "/auth/")
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/auth/", "/_favicon.ico")
PUBLIC_PATHS = ("/login", "/healthz", "/favicon.ico")
# Requests answered with data, not a page: a refusal is a status code, not a redirect.
API_PREFIXES = ("/_dash-", "/api/", "/export/", "/reports/files/")
ROUTER_LOCATION = "_pages_location"  # Dash Pages' own dcc.Location
TOUCH_EVERY = timedelta(minutes=1)
LOOPBACK = ("127.0.0.1", "::1", "localhost")


# -- what pages and services call ------------------------------------------------------


def current_identity() -> Identity | None:
    """The request's identity (set by the before_request hook), None outside requests."""
    return g.get("identity") if _in_request() else None


def request_scope() -> Scope:
    """The request's figure scope. Raises OutOfScope when the identity has none (the
    before_request hook already refuses such requests; this is the second lock)."""
    ident = current_identity()
    scope = ident.scope() if ident is not None else None
    if scope is None:
        raise OutOfScope("no figure grant")
    return scope


def status_scope() -> Scope:
    """The scope the data-status page reads with: admins and leaders see the whole
    school's data quality (the page rule lets nobody else in)."""
    ident = current_identity()
    if ident is None or not (ident.is_admin or "leader" in ident.roles):
        raise OutOfScope("the data status is for leaders and admins")
    return Scope.whole_school()


def csrf_token() -> str:
    """The CSRF token of this request's session (forms put it in a hidden field)."""
    return g.get("csrf", "")


def audit(action: str, *, target: str | None = None, outcome: str = "ok", detail: str | None = None) -> None:
    """An audit line for this request's identity and address; never raises."""
    try:
        ctx = current_app.extensions["cockpit"]
        ident = current_identity()
        ctx.accounts.audit(
            action,
            actor=ident.name if ident else None,
            target=target,
            outcome=outcome,
            ip=client_address() if _in_request() else None,
            detail=detail,
        )
    except Exception:  # the audit must never take a page down
        log.exception("audit line %s failed", action)


def client_address() -> str:
    """The client's address. Behind nginx every connection comes from the proxy: when the
    peer is one of ``auth.header.trusted_proxies``, the address that proxy appended last to
    X-Forwarded-For (the one it saw; earlier entries are the client's own claims). Sign-in
    rate limits, the audit log, sessions and the demo's loopback rule use it; trusting the
    SSO header itself goes by the peer's address (``_resolve_header``)."""
    peer = request.remote_addr or ""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded and _trusted_proxy(peer):
        last = forwarded.split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(last))
        except ValueError:
            pass
    return peer


def _in_request() -> bool:
    from flask import has_request_context

    return has_request_context()


# -- set-up ------------------------------------------------------------------------------


def secret_key(settings: Settings, env: dict[str, str] | None = None) -> str:
    """COCKPIT_SECRET_KEY, or for the demo a key generated once into data/secret_key."""
    import os

    env = os.environ if env is None else env
    key = env.get("COCKPIT_SECRET_KEY", "").strip()
    if key:
        if len(key) < 32:
            raise ConfigError("COCKPIT_SECRET_KEY: use at least 32 random characters")
        return key
    if not (settings.source_is_demo or settings.auth.mode == "none"):
        raise ConfigError("COCKPIT_SECRET_KEY is not set: sign-in needs a secret key from the environment")
    path = settings.data_dir / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def is_loopback(host: str) -> bool:
    host = (host or "").strip().strip("[]")
    if host in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_none_mode(settings: Settings, host: str) -> None:
    """`auth.mode: none` serves only on a loopback address; anything else refuses to start."""
    if settings.auth.mode == "none" and not is_loopback(host):
        raise ConfigError(
            f"auth.mode none (no sign-in) is only for a loopback address, not {host!r}: "
            "set auth.mode to local, header, cas or oidc"
        )


def init_app(server: Flask, ctx: Any, *, render: Identity | None = None) -> None:
    """Bind access control to the server. ``render``: a private renderer's app (reports,
    exports): the only accepted credential is a random token the renderer holds."""
    settings: Settings = ctx.settings
    check_none_mode(settings, settings.server.host)
    server.secret_key = secret_key(settings)
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="cockpit_flask",
    )
    ctx.accounts = Accounts(ctx.store.engine)
    ctx.render = (secrets.token_urlsafe(32), render) if render is not None else None
    if render is None:
        try:
            ctx.accounts.prune_sessions()
            ctx.accounts.prune_audit(settings.auth.audit_keep_days)
        except Exception:
            log.exception("pruning sessions and audit lines failed")
    server.before_request(_before_request)
    server.after_request(_after_request)
    server.register_error_handler(OutOfScope, _out_of_scope)
    server.register_error_handler(HTTPException, _http_error)
    server.register_error_handler(Exception, _crash)
    from cockpit.auth import routes

    routes.register(server, settings)


def render_cookies(server: Flask) -> dict[str, str]:
    """The cookies a private renderer's browser sets before it loads a screen: the
    random token (the only credential such an app accepts) and the CSRF token its
    Dash callbacks send back."""
    token = server.extensions["cockpit"].render[0]
    csrf = hmac.new(server.secret_key.encode(), b"render-csrf", hashlib.sha256).hexdigest()
    return {RENDER_COOKIE: token, CSRF_COOKIE: csrf}


def render_token_cookies(ident: Identity, secret: str | None = None) -> dict[str, str]:
    """The cookies ONE export's headless browser sets before it loads a view of the
    running app: a token signed with the app's secret holding exactly the requester's
    identity (roles, departments, families), valid RENDER_TOKEN_SECONDS, and the
    CSRF token that goes with it. Any worker of the app verifies it (no server state);
    it never leaves the server (the browser is ours), and it can only read what the
    requester could: it carries their grant, never a wider one. Walls get none."""
    if ident.kind not in ("user", "demo"):
        raise OutOfScope("only a person exports a view")
    payload = {"n": ident.name, "s": ident.source, "k": ident.kind, "m": ident.as_mapped()}
    payload["x"] = secrets.token_hex(8)  # two exports of one person never share a token
    key = secret or current_app.secret_key
    token = _render_serializer(key).dumps(payload)
    csrf = hmac.new(key.encode(), ("render-csrf:" + token).encode(), hashlib.sha256).hexdigest()
    return {RENDER_COOKIE: token, CSRF_COOKIE: csrf}


def _render_serializer(secret: str | None = None):
    """``secret``: the app's key, for a job outside any request (the weekly report)."""
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(secret or current_app.secret_key, salt="cockpit-render-token")


def render_token_identity(token: str) -> Identity | None:
    """The identity a render token carries, or None (forged, expired, malformed)."""
    from itsdangerous import BadData

    try:
        data = _render_serializer().loads(token, max_age=RENDER_TOKEN_SECONDS)
        ident = Identity.from_mapped(str(data["n"]), str(data["s"]), dict(data["m"]))
    except (BadData, KeyError, TypeError, ValueError):
        return None
    return dataclasses.replace(ident, kind="demo" if data.get("k") == "demo" else "user")


def _render_token_gate(token: str) -> Response | None:
    """A request of an export's browser: the token's identity, the usual page rule and
    CSRF (its own token); a bad or expired token, or a refused path, is a 403."""
    ident = render_token_identity(token)
    if ident is None or request.path.startswith(RENDER_REFUSED):
        audit("render", target=request.path[:200], outcome="refused")
        return Response("forbidden\n", status=403, mimetype="text/plain")
    g.identity = ident
    g.csrf = _hmac("render-csrf:" + token)
    return _page_rule(ident, request.path)


# -- per request -------------------------------------------------------------------------


def _ctx() -> Any:
    return current_app.extensions["cockpit"]


def _settings() -> Settings:
    return _ctx().settings


def _is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def _is_api(path: str) -> bool:
    return path.startswith(API_PREFIXES)


def _before_request() -> Response | None:
    path = request.path
    ctx = _ctx()
    if ctx.render is not None:
        return _render_gate(ctx)
    if _is_public(path):
        return None
    if RENDER_COOKIE in request.cookies:
        return _render_token_gate(request.cookies[RENDER_COOKIE])
    if WALL_TOKEN_PARAM in request.args:
        return _enrol_wall()
    try:
        ident = _resolve()
    except _Refused as r:
        return r.response
    if ident is None:
        resp = _sign_in_needed(path)
        if request.cookies.get(SESSION_COOKIE):
            # A forged, expired or signed-out cookie: one audit line, and the cookie goes.
            audit("session", target=path, outcome="refused", detail="unknown or expired session cookie")
            resp.delete_cookie(SESSION_COOKIE)
        return resp
    g.identity = ident
    if path == "/logout":
        return None
    if ident.scope() is None and not ident.is_admin:
        audit("refused", target=path, outcome="refused", detail="no grant")
        return auth_pages.no_access(ident, status=403)
    return _page_rule(ident, path)


class _Refused(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _resolve() -> Identity | None:
    """The identity of this request, from the mode's credential. Also sets g.csrf."""
    auth = _settings().auth
    accounts: Accounts = _ctx().accounts
    session, stored = accounts.session_and_user(request.cookies.get(SESSION_COOKIE, ""))
    if session is not None and session.kind == "wall":
        ident = accounts.wall_identity(session.subject)
        if ident is not None:
            g.session = session
            g.csrf = session.csrf
            _touch(session, wall=True)
        return ident
    if auth.mode == "none":
        if not is_loopback(client_address()):
            raise _Refused(auth_pages.message("forbidden", status=403))
        g.csrf = _hmac("demo-csrf")
        return DEMO
    if auth.mode == "header":
        return _resolve_header(session)
    if session is None:
        return None
    if _idle(session):
        accounts.end_session(session.id)
        return None
    ident = stored
    if ident is None and session.mapped is not None:
        # An SSO user the store did not know at sign-in (disabling a user ends their sessions).
        ident = Identity.from_mapped(session.subject, session.source, session.mapped)
    if ident is None:
        return None
    g.session = session
    g.csrf = session.csrf
    _touch(session)
    return ident


def _resolve_header(session: Any) -> Identity | None:
    """header mode: the proxy's user header, only from a trusted address. A session
    cookie holds the CSRF token; it follows the header (a new user, a new session)."""
    auth = _settings().auth
    accounts: Accounts = _ctx().accounts
    user = (request.headers.get(auth.header_user) or "").strip()
    trusted = _trusted_proxy(request.remote_addr or "")
    if user and not trusted:
        audit(
            "header_untrusted",
            target=request.path,
            outcome="refused",
            detail=f"{auth.header_user} from {request.remote_addr}",
        )
        raise _Refused(auth_pages.message("untrusted_header", status=403))
    if not user or len(user) > 64:
        return None
    if session is not None and session.subject == user and session.source == "header":
        g.session, g.csrf = session, session.csrf
        mapped = session.mapped
    else:
        mapped = None
    ident = accounts.user_identity(user, "header")
    if ident is None and accounts.is_disabled(user):
        ident = Identity(name=user, roles=frozenset(), source="header", display=user)  # no grant
    elif ident is None:
        attrs = {name: request.headers.get(h) for name, h in auth.header_attributes.items()}
        ident, why = identity_from_attributes(user, "header", attrs, auth.mapping)
        if ident is None:
            log.info("header user %s has no grant: %s", user, why)
            ident = Identity(name=user, roles=frozenset(), source="header", display=user)
        mapped = ident.as_mapped()
    if "csrf" not in g:
        token, csrf = accounts.create_session(
            "user",
            user,
            "header",
            timedelta(hours=auth.session_hours),
            client_address(),
            mapped=mapped,
        )
        g.new_session_token, g.csrf = token, csrf
        audit_for(ident, "login", target="header")
    return ident


def audit_for(ident: Identity, action: str, **kw: Any) -> None:
    g.identity = ident
    audit(action, **kw)


def _trusted_proxy(addr: str) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in _settings().auth.trusted_proxies)


def _idle(session: Any) -> bool:
    idle = timedelta(minutes=_settings().auth.idle_minutes)
    return utcnow() - session.last_seen > idle


def _touch(session: Any, wall: bool = False) -> None:
    if utcnow() - session.last_seen > TOUCH_EVERY:
        try:
            _ctx().accounts.touch_session(session.id)
        except Exception:
            log.exception("session touch failed")


def _hmac(text: str) -> str:
    return hmac.new(current_app.secret_key.encode(), text.encode(), hashlib.sha256).hexdigest()


def _sign_in_needed(path: str) -> Response:
    mode = _settings().auth.mode
    if _is_api(path) or request.method != "GET":
        return Response("请先登录 / sign in first\n", status=401, mimetype="text/plain")
    if mode == "header":
        return auth_pages.message("header_missing", status=401)
    nxt = request.full_path if request.query_string else path
    return redirect("/login?" + urlencode({"next": nxt}))


def _page_rule(ident: Identity, path: str) -> Response | None:
    """Page loads, the pages router callback, and CSRF on every state-changing request."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        sent = request.headers.get(CSRF_HEADER) or request.form.get("csrf") or ""
        if not g.get("csrf") or not hmac.compare_digest(sent, g.csrf):
            audit("csrf", target=path, outcome="refused")
            return Response("CSRF token missing or wrong\n", status=403, mimetype="text/plain")
    if path == "/_dash-update-component":
        return _router_rule(ident)
    if _is_api(path) or request.method != "GET":
        return None
    if ident.kind == "wall":
        return _wall_page(ident, path)
    if not ident.may_open(path):
        audit("refused", target=path, outcome="refused")
        return auth_pages.message("forbidden", status=403, identity=ident)
    return None


def _router_rule(ident: Identity) -> Response | None:
    """A Dash callback whose inputs carry the pages router's pathname opens that page:
    the same rule as loading the page."""
    body = request.get_json(silent=True) or {}
    items: list[Any] = []
    for key in ("inputs", "state"):
        for it in body.get(key) or []:
            items += it if isinstance(it, list) else [it]
    for it in items:
        if isinstance(it, dict) and it.get("id") == ROUTER_LOCATION and it.get("property") == "pathname":
            target = str(it.get("value") or "/")
            if not ident.may_open(target):
                audit("refused", target=target, outcome="refused", detail="callback")
                return Response('{"error": "forbidden"}', status=403, mimetype="application/json")
    return None


def _wall_page(ident: Identity, path: str) -> Response | None:
    """A wall opens only its screens, always in kiosk mode (and its rotation)."""
    if not ident.wall_allows(path):
        audit("refused", target=path, outcome="refused", detail="wall")
        return auth_pages.message("forbidden", status=403, identity=ident)
    query = dict(parse_qsl(request.query_string.decode("utf-8", "replace")))
    want = {"kiosk": "1"}
    if ident.wall_rotate:
        want["rotate"] = str(ident.wall_rotate)
    if any(query.get(k) != v for k, v in want.items()):
        return redirect(path + "?" + urlencode({**query, **want}))
    return None


def _enrol_wall() -> Response:
    """?wall_token=…: trade the one-time token for a device cookie, drop it from the URL."""
    accounts: Accounts = _ctx().accounts
    token = request.args.get(WALL_TOKEN_PARAM, "")
    name = accounts.enrol_wall(token) if 16 <= len(token) <= 128 else None
    if name is None:
        audit("wall_enrol", target=request.path, outcome="refused", detail="bad or used token")
        return auth_pages.message("bad_wall_token", status=403)
    settings = _settings()
    session, csrf = accounts.create_session(
        "wall", name, "wall", timedelta(days=settings.auth.wall_days), client_address()
    )
    g.identity = accounts.wall_identity(name)
    audit("wall_enrol", target=name)
    query = [(k, v) for k, v in parse_qsl(request.query_string.decode()) if k != WALL_TOKEN_PARAM]
    resp = redirect(request.path + ("?" + urlencode(query) if query else ""))
    _set_session_cookie(resp, session, timedelta(days=settings.auth.wall_days))
    _set_csrf_cookie(resp, csrf)
    return resp


def _render_gate(ctx: Any) -> Response | None:
    """The private renderer's app: static assets, or the renderer's token."""
    if request.path.startswith(PUBLIC_PREFIXES):
        return None
    token, ident = ctx.render
    if not hmac.compare_digest(request.cookies.get(RENDER_COOKIE, ""), token):
        return Response("forbidden\n", status=403, mimetype="text/plain")
    g.identity = ident
    g.csrf = _hmac("render-csrf")
    return _page_rule(ident, request.path)


# -- cookies and headers -----------------------------------------------------------------


def _secure() -> bool:
    mode = _settings().auth.cookie_secure
    return request.is_secure if mode == "auto" else mode == "true"


def _set_session_cookie(resp: Response, token: str, lifetime: timedelta) -> None:
    resp.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        secure=_secure(),
        samesite="Lax",
    )


def _set_csrf_cookie(resp: Response, csrf: str) -> None:
    # Readable by the page's JavaScript (Dash sends it back as X-CSRFToken); Strict,
    # so another site's page never gets it sent along.
    resp.set_cookie(CSRF_COOKIE, csrf, httponly=False, secure=_secure(), samesite="Strict")


def start_session(resp: Response, ident: Identity, source: str, **kw: Any) -> None:
    """Sign a person in: a server-side session and its cookies on ``resp``."""
    auth = _settings().auth
    lifetime = timedelta(hours=auth.session_hours)
    mapped = kw.pop("mapped", None)
    token, csrf = _ctx().accounts.create_session(
        "user", ident.name, source, lifetime, client_address(), mapped=mapped, **kw
    )
    _set_session_cookie(resp, token, lifetime)
    _set_csrf_cookie(resp, csrf)


def end_session(resp: Response) -> None:
    session = g.get("session")
    if session is not None:
        _ctx().accounts.end_session(session.id)
    resp.delete_cookie(SESSION_COOKIE)
    resp.delete_cookie(CSRF_COOKIE)


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.S)


def _inline_script_hashes(html: str) -> list[str]:
    """CSP hashes of the page's inline scripts (Dash's renderer start and its inline
    clientside functions), so that no other inline script can run."""
    out = []
    for attrs, body in _INLINE_SCRIPT.findall(html):
        if "application/json" in attrs:
            continue  # data, never executed
        digest = hashlib.sha256(body.encode("utf-8")).digest()
        out.append("'sha256-" + base64.b64encode(digest).decode() + "'")
    return sorted(set(out))


def content_security_policy(script_hashes: list[str] | None = None) -> str:
    ancestors = " ".join(_settings().auth.frame_ancestors) or "'none'"
    scripts = " ".join(["'self'", *(script_hashes or [])])
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",  # Dash and Plotly set style attributes
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {ancestors}",
        )
    )


def _after_request(resp: Response) -> Response:
    token = g.pop("new_session_token", None)
    if token:
        _set_session_cookie(resp, token, timedelta(hours=_settings().auth.session_hours))
    csrf = g.get("csrf")
    already = any(c.startswith(CSRF_COOKIE + "=") for c in resp.headers.getlist("Set-Cookie"))
    if csrf and request.cookies.get(CSRF_COOKIE) != csrf and not already:
        _set_csrf_cookie(resp, csrf)
    h = resp.headers
    hashes = None
    if resp.mimetype == "text/html" and not resp.direct_passthrough:
        hashes = _inline_script_hashes(resp.get_data(as_text=True))
    h.setdefault("Content-Security-Policy", content_security_policy(hashes))
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("Referrer-Policy", "same-origin")
    ancestors = _settings().auth.frame_ancestors
    if ancestors in (("'self'",), ("'none'",)):
        h.setdefault("X-Frame-Options", "SAMEORIGIN" if ancestors == ("'self'",) else "DENY")
    if not request.path.startswith(("/assets/", "/_dash-component-suites/")):
        h.setdefault("Cache-Control", "no-store")
    return resp


# -- errors --------------------------------------------------------------------------------


def _out_of_scope(exc: OutOfScope) -> Response:
    audit("refused", target=request.path, outcome="refused", detail=str(exc)[:200])
    if _is_api(request.path):
        return Response('{"error": "forbidden"}', status=403, mimetype="application/json")
    return auth_pages.message("forbidden", status=403, identity=current_identity())


def _http_error(exc: HTTPException) -> Response:
    if _is_api(request.path) or exc.code is None or exc.code < 400:
        return exc.get_response()
    key = {401: "sign_in", 403: "forbidden", 404: "not_found", 405: "not_found"}.get(exc.code, "error")
    return auth_pages.message(key, status=exc.code, identity=current_identity())


def _crash(exc: Exception) -> Response:
    incident = uuid.uuid4().hex[:8]
    log.exception("request %s %s failed (incident %s)", request.method, request.path, incident)
    if _is_api(request.path):
        return Response(f"internal error (incident {incident})\n", status=500, mimetype="text/plain")
    return auth_pages.message("error", status=500, identity=current_identity(), incident=incident)


def safe_next(target: str | None) -> str:
    """A post-sign-in destination on this site only (no scheme, no host, no //)."""
    target = (target or "/").strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(c) < 32 for c in target):
        return "/"
    return target


__all__ = [
    "audit",
    "csrf_token",
    "current_identity",
    "init_app",
    "request_scope",
    "safe_next",
    "status_scope",
]
