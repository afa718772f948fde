"""Released SSO attributes -> a role and a scope (header, cas and oidc modes).

A user the store knows keeps the store's grant, whatever the IdP releases. A
user it does not know gets what ``auth.mapping`` makes of the attributes: the
role attribute's values looked up in ``mapping.roles``, department codes and
families from their attributes. Anything that does not add up to a valid grant
(no mapped role, a dean without a department, an unknown family) is no grant
at all: the user is signed in but sees the "no access" page. Fail closed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cockpit.auth.identity import GrantError, Identity, normalise_grant
from cockpit.config import AttributeMapping


def _values(raw: Any) -> list[str]:
    """An attribute as a list of strings: lists as they are, text split on commas."""
    if raw is None:
        return []
    items = raw if isinstance(raw, list | tuple) else [raw]
    out: list[str] = []
    for item in items:
        out += [p.strip() for p in str(item).split(",") if p.strip()]
    return out


def identity_from_attributes(
    name: str, source: str, attributes: Mapping[str, Any], mapping: AttributeMapping
) -> tuple[Identity | None, str]:
    """(identity, why): the mapped identity, or None and the reason for the audit log."""
    roles = {mapping.roles[v] for v in _values(attributes.get(mapping.role_attribute)) if v in mapping.roles}
    if not roles:
        return None, f"no mapped role in attribute {mapping.role_attribute!r}"
    depts = _values(attributes.get(mapping.department_attribute)) or None
    fams = _values(attributes.get(mapping.family_attribute)) or None
    try:
        grant = normalise_grant(roles, depts, fams)
    except GrantError as e:
        return None, str(e)
    ident = Identity(
        name=name,
        roles=frozenset(grant["roles"]),
        departments=None if grant["departments"] is None else frozenset(grant["departments"]),
        families=None if grant["families"] is None else frozenset(grant["families"]),
        kind="user",
        source=source,
        display=name,
    )
    return ident, "mapped"
