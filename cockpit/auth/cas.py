"""CAS 2.0 / 3.0 (统一身份认证), the protocol most Chinese colleges' SSO speaks.

Sign-in: the browser goes to ``{server_url}/login?service=…``; the CAS server
sends it back to the service URL (``auth.cas.service_url``, our /auth/cas) with
a one-time ticket, which the cockpit validates server to server
(``/serviceValidate`` for CAS 2, ``/p3/serviceValidate`` for CAS 3, which also
releases attributes). Single logout: the CAS server POSTs a SAML
``logoutRequest`` naming the ticket; the session opened with it ends.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlencode

from cockpit.config import Settings

NS = {"cas": "http://www.yale.edu/tp/cas"}
_SESSION_INDEX = re.compile(r"<(?:\w+:)?SessionIndex>\s*([^<\s]+)\s*</(?:\w+:)?SessionIndex>")


class CasError(Exception):
    """The ticket was not validated; one line for the audit log."""


def _server(settings: Settings) -> str:
    return str(settings.auth.cas["server_url"]).rstrip("/")


def service(settings: Settings, next_url: str) -> str:
    """The service URL the CAS server returns to; the same string validates the ticket."""
    base = str(settings.auth.cas["service_url"])
    if next_url and next_url != "/":
        base += ("&" if "?" in base else "?") + urlencode({"next": next_url})
    return base


def login_url(settings: Settings, next_url: str) -> str:
    return f"{_server(settings)}/login?" + urlencode({"service": service(settings, next_url)})


def logout_url(settings: Settings) -> str:
    return f"{_server(settings)}/logout?" + urlencode({"service": str(settings.auth.cas["service_url"])})


def validate(settings: Settings, ticket: str, next_url: str) -> tuple[str, dict[str, Any]]:
    """(user, attributes) of a service ticket, asked of the CAS server."""
    import requests

    if not ticket or len(ticket) > 256 or not ticket.isprintable():
        raise CasError("no ticket")
    version = int(settings.auth.cas["version"])
    path = "/p3/serviceValidate" if version == 3 else "/serviceValidate"
    try:
        r = requests.get(
            _server(settings) + path,
            params={"service": service(settings, next_url), "ticket": ticket},
            timeout=float(settings.auth.cas["timeout_seconds"]),
        )
    except requests.RequestException as e:
        raise CasError(f"CAS server unreachable: {type(e).__name__}") from None
    if r.status_code != 200:
        raise CasError(f"CAS server answered {r.status_code}")
    return parse_response(r.text)


def parse_response(body: str) -> tuple[str, dict[str, Any]]:
    """The user and attributes of a serviceValidate answer; CasError for a failure."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise CasError("CAS answer is not XML") from None
    failure = root.find("cas:authenticationFailure", NS)
    if failure is not None:
        raise CasError(f"{failure.get('code', 'FAILURE')}: {' '.join((failure.text or '').split())[:120]}")
    success = root.find("cas:authenticationSuccess", NS)
    user = success.findtext("cas:user", namespaces=NS) if success is not None else None
    if not user or not user.strip():
        raise CasError("CAS answer names no user")
    attributes: dict[str, Any] = {}
    node = success.find("cas:attributes", NS)
    for child in list(node) if node is not None else []:
        key = child.tag.split("}", 1)[-1]
        value = (child.text or "").strip()
        if key in attributes:
            prev = attributes[key]
            attributes[key] = [*prev, value] if isinstance(prev, list) else [prev, value]
        else:
            attributes[key] = value
    return user.strip(), attributes


def logout_ticket(logout_request: str) -> str | None:
    """The ticket a CAS single-logout request names (its SessionIndex)."""
    m = _SESSION_INDEX.search(logout_request or "")
    return m.group(1) if m else None
