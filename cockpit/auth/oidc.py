"""OpenID Connect sign-in through Authlib, for a campus IdP that speaks it.

The client is registered per app (``init_app``) from ``auth.oidc``
(metadata_url, client_id, scope; the secret only from
COCKPIT_OIDC_CLIENT_SECRET; without one the cockpit is a public client). The
code flow always carries PKCE (S256). Authlib keeps the state, nonce and code
verifier in Flask's signed session cookie between the redirect and the
callback, validates the ID token against the provider's keys (signature,
issuer, audience, expiry, nonce), and hands back its claims. When the provider
has a userinfo endpoint, its answer for the same subject adds the claims the
ID token lacks. The claims are the attributes that ``auth.mapping`` turns into
a role and scope.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request, session

CLIENT = "campus"
NEXT_KEY = "cockpit_oidc_next"


class OidcError(Exception):
    """The provider did not confirm the user; one line for the audit log."""


def init_app(server: Flask, settings: Any) -> None:
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(server)
    conf = settings.auth.oidc
    secret = settings.auth.oidc_client_secret or None
    client_kwargs = {"scope": conf["scope"], "code_challenge_method": "S256"}
    if secret is None:
        # A public client: no secret to send (Authlib would send the text "None").
        client_kwargs["token_endpoint_auth_method"] = "none"
    oauth.register(
        CLIENT,
        client_id=conf["client_id"],
        client_secret=secret,
        server_metadata_url=conf["metadata_url"],
        client_kwargs=client_kwargs,
    )
    server.extensions["cockpit_oauth"] = oauth


def _client():
    return current_app.extensions["cockpit_oauth"].create_client(CLIENT)


def _redirect_uri() -> str:
    conf = current_app.extensions["cockpit"].settings.auth.oidc
    return conf["redirect_uri"] or request.host_url.rstrip("/") + "/auth/oidc"


def authorize_redirect(next_url: str):
    session[NEXT_KEY] = next_url
    try:
        return _client().authorize_redirect(_redirect_uri())
    except Exception as e:  # provider metadata unreachable
        from cockpit.auth import pages

        current_app.logger.warning("OIDC provider unreachable: %s", e)
        return pages.message("sso_failed", status=503)


def complete() -> tuple[str, dict[str, Any], str]:
    """(user name, claims, next URL) after the provider's redirect back."""
    from authlib.integrations.base_client.errors import OAuthError

    client = _client()
    try:
        token = client.authorize_access_token()
    except OAuthError as e:
        raise OidcError(f"{e.error}: {e.description or ''}".strip()) from None
    except Exception as e:  # unreachable provider, bad token signature...
        raise OidcError(f"{type(e).__name__}: {str(e)[:120]}") from None
    claims = dict(token.get("userinfo") or {})  # the validated ID token's claims
    if not claims.get("sub"):
        raise OidcError("no validated ID token")
    claims = {**_userinfo(client, token, claims["sub"]), **claims}
    name = str(claims.get("preferred_username") or claims.get("sub") or "").strip()
    if not name:
        raise OidcError("the ID token names no user")
    return name, claims, session.pop(NEXT_KEY, "/")


def _userinfo(client: Any, token: dict[str, Any], sub: str) -> dict[str, Any]:
    """The userinfo endpoint's claims ({} when the provider has none); they must be
    about the ID token's subject (OpenID Connect Core 5.3.2)."""
    try:
        if not client.load_server_metadata().get("userinfo_endpoint"):
            return {}
        info = dict(client.userinfo(token=token))
    except Exception as e:
        raise OidcError(f"userinfo: {type(e).__name__}: {str(e)[:120]}") from None
    if info.get("sub") != sub:
        raise OidcError("userinfo is about another subject than the ID token")
    return info
