"""Who is asking, and what that lets them see.

An ``Identity`` is built on the server from the session (never from anything
the browser sends). Its ``scope()`` is the grant every service call receives;
``may_open(path)`` is the page-level rule (admin pages, the data status, a
wall's own screens). Both deny by default: no role, an empty department list
for a dean, an empty family list for an office — no scope, a "no access" page.

Roles:
  leader      the whole school
  department  the school-level figures and their own departments (and majors)
  office      the whole school, limited to the families of its grant
  admin       users, walls, the audit log and the data status; figures only
              when also given another role
A wall is a device: the paths it was enrolled for, read-only, kiosk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cockpit.scope import FAMILIES, Scope

ROLES = ("leader", "department", "office", "admin")
FIGURE_ROLES = ("leader", "department", "office")
_DEPARTMENT_PATH = re.compile(r"^/department/([^/]+)/?$")

# Pages that need more than a figure grant.
ADMIN_PREFIX = "/admin"
STATUS_PATH = "/status"


class GrantError(ValueError):
    """A role/department/family combination that makes no sense; one line."""


def normalise_grant(
    roles: Iterable[str], departments: Iterable[str] | None, families: Iterable[str] | None
) -> dict[str, Any]:
    """Validate a stored grant: known roles, a dean has departments, an office has families,
    known family names. Returns {"roles": set, "departments": list|None, "families": list|None}."""
    roles = {str(r).strip() for r in roles if str(r).strip()}
    unknown = sorted(roles - set(ROLES))
    if unknown:
        raise GrantError(f"unknown role {unknown[0]!r} (known: {', '.join(ROLES)})")
    if not roles:
        raise GrantError(f"a user needs a role ({', '.join(ROLES)})")
    depts = None if departments is None else sorted({str(d).strip() for d in departments if str(d).strip()})
    fams = None if families is None else sorted({str(f).strip() for f in families if str(f).strip()})
    if fams is not None:
        bad = sorted(set(fams) - set(FAMILIES))
        if bad:
            raise GrantError(f"unknown family {bad[0]!r} (known: {', '.join(FAMILIES)})")
    if "department" in roles and "leader" not in roles and not depts:
        raise GrantError("role department needs at least one --department CODE")
    if "office" in roles and "leader" not in roles and not fams:
        raise GrantError("role office needs at least one --family NAME")
    if "department" not in roles:
        depts = None if "leader" in roles or "office" in roles else depts
    return {"roles": roles, "departments": depts or None, "families": fams or None}


@dataclass(frozen=True)
class Identity:
    """A signed-in person or enrolled wall."""

    name: str
    roles: frozenset[str]
    departments: frozenset[str] | None = None
    families: frozenset[str] | None = None
    kind: str = "user"  # user | wall | demo | render
    source: str = "local"  # local | header | cas | oidc | none | wall | render
    display: str = ""
    wall_paths: tuple[str, ...] = field(default=())
    wall_rotate: int | None = None

    @classmethod
    def for_wall(cls, name: str, paths: tuple[str, ...], rotate: int | None) -> Identity:
        """A wall sees what its screens show: the school screen needs the whole school;
        department screens need their departments only."""
        depts = (
            None if "/" in paths else frozenset(m.group(1) for p in paths if (m := _DEPARTMENT_PATH.match(p)))
        )
        return cls(
            name=name,
            roles=frozenset(),
            departments=depts,
            kind="wall",
            source="wall",
            display=name,
            wall_paths=paths,
            wall_rotate=rotate,
        )

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    def scope(self) -> Scope | None:
        """The figure grant, or None: this identity sees no figure."""
        if self.kind == "wall":
            if self.departments is not None and not self.departments:
                return None
            return Scope(self.departments, None)
        if "leader" in self.roles:
            return Scope.whole_school()
        if "office" in self.roles and self.families:
            return Scope.whole_school(self.families)
        if "department" in self.roles and self.departments:
            return Scope.of_departments(self.departments, self.families)
        return None

    def wall_allows(self, path: str) -> bool:
        """A wall may open its own screens; a school wall that rotates also opens every
        department screen (the rotation of config screen.rotate)."""
        path = path.rstrip("/") or "/"
        if path in self.wall_paths:
            return True
        return bool(self.wall_rotate) and "/" in self.wall_paths and bool(_DEPARTMENT_PATH.match(path))

    def may_open(self, path: str) -> bool:
        """The page-level rule for a path of the Dash app (figures are scoped separately)."""
        path = path or "/"
        if self.kind == "wall":
            return self.wall_allows(path)
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            return self.is_admin
        if path == STATUS_PATH:
            return self.is_admin or "leader" in self.roles
        return self.scope() is not None

    def as_mapped(self) -> dict[str, Any]:
        """What a session stores for an SSO user the store does not know."""
        return {
            "roles": sorted(self.roles),
            "departments": None if self.departments is None else sorted(self.departments),
            "families": None if self.families is None else sorted(self.families),
            "display": self.display,
        }

    @classmethod
    def from_mapped(cls, name: str, source: str, mapped: dict[str, Any]) -> Identity:
        return cls(
            name=name,
            roles=frozenset(mapped.get("roles") or ()),
            departments=None if mapped.get("departments") is None else frozenset(mapped["departments"]),
            families=None if mapped.get("families") is None else frozenset(mapped["families"]),
            kind="user",
            source=source,
            display=mapped.get("display") or name,
        )


DEMO = Identity(
    name="demo",
    roles=frozenset({"leader", "admin"}),
    kind="demo",
    source="none",
    display="演示用户",
)
