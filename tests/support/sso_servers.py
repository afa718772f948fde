"""Small campus sign-in servers for the SSO tests, each a WSGI app served by werkzeug
in a daemon thread on a free 127.0.0.1 port.

``CasServer``     CAS 2.0 / 3.0 (统一身份认证): /login issues a service ticket for
                  ``user`` and sends the browser back to the service URL;
                  /serviceValidate (CAS 2, no attributes) and /p3/serviceValidate
                  (CAS 3, ``attributes`` released) answer the CAS XML; tickets are
                  single-use and bound to the exact service string; /logout.
                  ``logout_request(ticket)`` is the SAML single-logout body a CAS
                  server POSTs to the service URL.
``OidcProvider``  OpenID Connect: discovery, /authorize (auto-consent for
                  ``user``, code + state back to the redirect URI), /token (an RS256
                  ID token with the authorize request's nonce, and an access token),
                  /jwks, /userinfo. ``sign_with_wrong_key`` makes it sign ID tokens
                  with a key it does not publish (same kid).

Both record what they were asked (``validations``, ``token_requests``...) so that
tests can assert on the server-to-server hop, and both are deliberately strict:
a request a real server would refuse gets a refusal here too.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import secrets
import threading
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit
from xml.sax.saxutils import escape

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

CAS_NS = "http://www.yale.edu/tp/cas"


class _Served:
    """A WSGI callable served on 127.0.0.1:<free port> until ``stop()``."""

    def __init__(self, wsgi_app: Any) -> None:
        self._server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="sso-server", daemon=True)
        self._thread.start()
        self._wait_up()

    def _wait_up(self, timeout: float = 10.0) -> None:
        """Bounded polling until the server answers (no fixed sleep)."""
        import urllib.error
        import urllib.request

        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.url + "/_up", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"test server at {self.url} did not come up")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()


def _add_query(url: str, **params: str) -> str:
    """``url`` with ``params`` appended to its query string (as a CAS server does)."""
    parts = urlsplit(url)
    query = parts.query + ("&" if parts.query else "") + urlencode(params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


# -- CAS ---------------------------------------------------------------------------------


class CasServer:
    """A CAS 2.0/3.0 server that signs in ``user`` without asking (the test is the user).

    Set ``user`` and ``attributes`` (name -> list of values, released by CAS 3 only)
    before the browser hop to /login. ``issued`` lists the tickets handed out,
    ``validations`` every (path, service, ticket, outcome) validated, ``logouts``
    the service parameters /logout received.
    """

    def __init__(self) -> None:
        self.user = "casuser"
        self.attributes: dict[str, list[str]] = {}
        self.issued: list[str] = []
        self.validations: list[dict[str, str]] = []
        self.logouts: list[str] = []
        self._tickets: dict[str, tuple[str, str, dict[str, list[str]]]] = {}
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._http = _Served(self.wsgi)
        self.url = self._http.url

    def stop(self) -> None:
        self._http.stop()

    def reset(self, user: str = "casuser", attributes: dict[str, list[str]] | None = None) -> None:
        with self._lock:
            self.user = user
            self.attributes = dict(attributes or {})
            self.issued.clear()
            self.validations.clear()
            self.logouts.clear()
            self._tickets.clear()

    # -- WSGI

    def wsgi(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        handler = {
            "/_up": lambda r: Response("up"),
            "/login": self._login,
            "/serviceValidate": lambda r: self._validate(r, attributes=False),
            "/p3/serviceValidate": lambda r: self._validate(r, attributes=True),
            "/logout": self._logout,
        }.get(request.path)
        response = handler(request) if handler else Response("not found", status=404)
        return response(environ, start_response)

    def _login(self, request: Request) -> Response:
        """Auto sign-in: a fresh ST-… for the configured user, bound to ``service``."""
        service = request.args.get("service", "")
        if not service:
            return Response("CAS login page (no service)", mimetype="text/plain")
        ticket = f"ST-{next(self._counter)}-{secrets.token_urlsafe(16)}"
        with self._lock:
            self._tickets[ticket] = (service, self.user, {k: list(v) for k, v in self.attributes.items()})
            self.issued.append(ticket)
        return Response(status=302, headers={"Location": _add_query(service, ticket=ticket)})

    def _validate(self, request: Request, *, attributes: bool) -> Response:
        service = request.args.get("service", "")
        ticket = request.args.get("ticket", "")
        with self._lock:
            # A ticket is consumed by its first validation attempt, whatever the outcome.
            issued = self._tickets.pop(ticket, None)
            if not service or not ticket:
                code, body = "INVALID_REQUEST", "service and ticket are required"
            elif issued is None:
                code, body = "INVALID_TICKET", f"Ticket {ticket} not recognized"
            elif issued[0] != service:
                code, body = "INVALID_SERVICE", f"Ticket {ticket} was not issued for {service}"
            else:
                code, body = "", ""
            self.validations.append(
                {"path": request.path, "service": service, "ticket": ticket, "outcome": code or "ok"}
            )
        if code:
            xml = (
                f'<cas:serviceResponse xmlns:cas="{CAS_NS}">\n'
                f'  <cas:authenticationFailure code="{code}">{escape(body)}</cas:authenticationFailure>\n'
                "</cas:serviceResponse>\n"
            )
            return Response(xml, mimetype="application/xml")
        _service, user, attrs = issued
        lines = [f'<cas:serviceResponse xmlns:cas="{CAS_NS}">', "  <cas:authenticationSuccess>"]
        lines.append(f"    <cas:user>{escape(user)}</cas:user>")
        if attributes and attrs:
            lines.append("    <cas:attributes>")
            for name, values in attrs.items():
                lines += [f"      <cas:{name}>{escape(v)}</cas:{name}>" for v in values]
            lines.append("    </cas:attributes>")
        lines += ["  </cas:authenticationSuccess>", "</cas:serviceResponse>", ""]
        return Response("\n".join(lines), mimetype="application/xml")

    def _logout(self, request: Request) -> Response:
        self.logouts.append(request.args.get("service", ""))
        return Response("CAS: you have signed out", mimetype="text/plain")

    # -- single logout

    @staticmethod
    def logout_request(ticket: str) -> str:
        """The SAML ``LogoutRequest`` a CAS server POSTs (form field ``logoutRequest``)
        to a service when the user signs out of CAS; it names the service ticket."""
        instant = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return (
            '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
            'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
            f'ID="LR-{secrets.token_hex(8)}" Version="2.0" IssueInstant="{instant}">'
            "<saml:NameID>@NOT_USED@</saml:NameID>"
            f"<samlp:SessionIndex>{escape(ticket)}</samlp:SessionIndex>"
            "</samlp:LogoutRequest>"
        )


# -- OpenID Connect ------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class OidcProvider:
    """An OpenID Connect provider with one registered client, auto-consenting for ``user``.

    ``id_token_claims`` are added to the ID token (they may override any claim,
    the nonce too), ``userinfo_claims`` to the /userinfo answer (``sub`` too).
    ``client_secret=None`` registers a public client (no secret, PKCE required).
    ``authorize_requests`` and ``token_requests`` record what was asked.
    """

    KID = "test-key-1"

    def __init__(self, client_id: str = "cockpit", client_secret: str | None = "s3cret-client") -> None:
        from joserfc.jwk import RSAKey

        self.client_id = client_id
        self.client_secret = client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": self.KID}, private=True)
        self._other_key = RSAKey.generate_key(2048, parameters={"kid": self.KID}, private=True)
        self.user = "oidcuser"
        self.id_token_claims: dict[str, Any] = {}
        self.userinfo_claims: dict[str, Any] = {}
        self.sign_with_wrong_key = False
        self.authorize_requests: list[dict[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self._codes: dict[str, dict[str, Any]] = {}
        self._access: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._http = _Served(self.wsgi)
        self.url = self._http.url

    def stop(self) -> None:
        self._http.stop()

    def reset(self, user: str = "oidcuser", **claims: Any) -> None:
        with self._lock:
            self.user = user
            self.id_token_claims = dict(claims)
            self.userinfo_claims = {}
            self.sign_with_wrong_key = False
            self.authorize_requests.clear()
            self.token_requests.clear()
            self._codes.clear()
            self._access.clear()

    @property
    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": self.url + "/authorize",
            "token_endpoint": self.url + "/token",
            "jwks_uri": self.url + "/jwks",
            "userinfo_endpoint": self.url + "/userinfo",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile"],
        }

    # -- WSGI

    def wsgi(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        handler = {
            "/_up": lambda r: Response("up"),
            "/.well-known/openid-configuration": lambda r: self._json(self.metadata),
            "/authorize": self._authorize,
            "/token": self._token,
            "/jwks": lambda r: self._json({"keys": [self.key.as_dict(private=False)]}),
            "/userinfo": self._userinfo,
        }.get(request.path)
        response = handler(request) if handler else Response("not found", status=404)
        return response(environ, start_response)

    @staticmethod
    def _json(data: Any, status: int = 200) -> Response:
        return Response(json.dumps(data), status=status, mimetype="application/json")

    def _authorize(self, request: Request) -> Response:
        """Auto-consent: a one-time code for the configured user, sent back with the state."""
        args = request.args.to_dict()
        self.authorize_requests.append(args)
        if args.get("client_id") != self.client_id or not args.get("redirect_uri"):
            return Response("unknown client or no redirect_uri", status=400)
        if args.get("response_type") != "code" or "openid" not in args.get("scope", "").split():
            return Response("only the openid code flow", status=400)
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = {
                "redirect_uri": args["redirect_uri"],
                "nonce": args.get("nonce"),
                "challenge": args.get("code_challenge"),
                "user": self.user,
                "claims": dict(self.id_token_claims),
                "userinfo": dict(self.userinfo_claims),
            }
        back = {"code": code}
        if "state" in args:
            back["state"] = args["state"]
        return Response(status=302, headers={"Location": _add_query(args["redirect_uri"], **back)})

    def _client_ok(self, request: Request) -> bool:
        if self.client_secret is None:  # a public client: no secret, PKCE required
            return request.authorization is None and request.form.get("client_id") == self.client_id
        auth = request.authorization
        if auth is not None and auth.type == "basic":
            sent = (auth.username, auth.password)
        else:
            sent = (request.form.get("client_id"), request.form.get("client_secret"))
        return sent == (self.client_id, self.client_secret)

    def _token_error(self, request: Request, grant: dict[str, Any] | None) -> str | None:
        """Why a /token request is refused (an OAuth error code), or None."""
        form = request.form
        if not self._client_ok(request):
            return "invalid_client"
        if form.get("grant_type") != "authorization_code" or grant is None:
            return "invalid_grant"
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return "invalid_grant"
        if grant["challenge"] or self.client_secret is None:  # PKCE S256: verifier matches challenge
            verifier = form.get("code_verifier", "")
            if _b64url(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]:
                return "invalid_grant"
        return None

    def _token(self, request: Request) -> Response:
        form = request.form
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)  # single use
        outcome = self._token_error(request, grant) or "ok"
        self.token_requests.append({"outcome": outcome, "code_verifier": form.get("code_verifier", "")})
        if outcome != "ok":
            return self._json({"error": outcome}, status=400 if outcome == "invalid_grant" else 401)
        from joserfc import jwt

        now = int(time.time())
        claims = {
            "iss": self.url,
            "sub": "sub-" + grant["user"],
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "preferred_username": grant["user"],
            "name": grant["user"],
        }
        if grant["nonce"] is not None:
            claims["nonce"] = grant["nonce"]
        claims.update(grant["claims"])  # a test may override any claim, the nonce too
        key = self._other_key if self.sign_with_wrong_key else self.key
        id_token = jwt.encode({"alg": "RS256", "kid": self.KID}, claims, key)
        access = secrets.token_urlsafe(24)
        with self._lock:
            self._access[access] = {"sub": claims["sub"], "user": grant["user"], **grant["userinfo"]}
        return self._json(
            {"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": id_token}
        )

    def _userinfo(self, request: Request) -> Response:
        auth = request.headers.get("Authorization", "")
        info = self._access.get(auth.removeprefix("Bearer ").strip()) if auth.startswith("Bearer ") else None
        if info is None:
            return self._json({"error": "invalid_token"}, status=401)
        info = dict(info)
        return self._json({"preferred_username": info.pop("user"), **info})
