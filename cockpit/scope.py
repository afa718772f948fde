"""What one request may see: the Scope every service call takes.

A scope has two halves:

* the **grant** — what the signed-in identity may see, built on the server from
  the session (``cockpit.auth``): a set of departments (``None`` = every one)
  and a set of indicator families (``None`` = every one);
* the **view** — what the screen at hand shows: the school (``view=None``,
  the school-level figures, dims ``{}``) or one department (``view=CODE``).

A page or callback can only *narrow* a scope (``narrow(department)``), never
widen it: a department outside the grant raises ``OutOfScope``, which the web
layer turns into a 403 page or an empty answer. Nothing here reads the
request; the scope is a plain value, so it can be part of every cache key
(``key``) and a memoized figure can never be served to another scope.

There is deliberately no module-level "whole school" default: a service
function without a scope argument is a fail-open waiting to happen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# The families a grant can name (config, CLI, admin page). The catalog's
# "steps" family (step latency) belongs to the approvals grant.
FAMILIES = ("employment", "internship", "fit", "approvals")
_GRANT_FAMILY = {"steps": "approvals"}


class OutOfScope(Exception):
    """The request asked for something the identity may not see."""


def grant_family(catalog_family: str) -> str:
    """The grant family of a catalog family ("steps" -> "approvals")."""
    return _GRANT_FAMILY.get(catalog_family, catalog_family)


def _codes(values: Iterable[str] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(str(v) for v in values)


@dataclass(frozen=True)
class Scope:
    """A grant (departments, families; None = all) and a view (None = the school)."""

    departments: frozenset[str] | None
    families: frozenset[str] | None
    view: str | None = None

    # -- construction ---------------------------------------------------------------

    @classmethod
    def whole_school(cls, families: Iterable[str] | None = None) -> Scope:
        """Every department (a leader; an office when ``families`` limits it)."""
        return cls(None, _codes(families))

    @classmethod
    def of_departments(cls, codes: Iterable[str], families: Iterable[str] | None = None) -> Scope:
        """Some departments (a dean): their own figures plus the school-level ones."""
        return cls(_codes(codes), _codes(families))

    @classmethod
    def department_only(cls, code: str) -> Scope:
        """One department, viewed as such: what its own report and wall show."""
        return cls(frozenset([code]), None, code)

    # -- narrowing ----------------------------------------------------------------------

    def allows_department(self, code: str | None) -> bool:
        return code is not None and (self.departments is None or code in self.departments)

    def allows_family(self, catalog_family: str | None) -> bool:
        if self.families is None:
            return True
        return catalog_family is not None and grant_family(catalog_family) in self.families

    def narrow(self, department: str | None) -> Scope:
        """The same grant viewing ``department`` ("" or None: the school view).
        Raises OutOfScope for a department outside the grant."""
        code = department or None
        if code is None:
            if self.view is not None:
                raise OutOfScope("this view is bound to one department")
            return self
        if self.view is not None and code != self.view:
            raise OutOfScope(f"department {code!r} is outside this view")
        if not self.allows_department(code):
            raise OutOfScope(f"department {code!r} is outside the grant")
        return Scope(self.departments, self.families, code)

    def visible_departments(self, codes: Iterable[str]) -> list[str]:
        """The codes of ``codes`` this scope shows (its view, or its grant), in order."""
        if self.view is not None:
            return [c for c in codes if c == self.view]
        return [c for c in codes if self.allows_department(c)]

    # -- cache keys ---------------------------------------------------------------------

    @property
    def key(self) -> str:
        """A canonical text of the whole scope, for cache keys."""
        d = "*" if self.departments is None else ",".join(sorted(self.departments))
        f = "*" if self.families is None else ",".join(sorted(self.families))
        return f"d={d};f={f};v={self.view or ''}"

    @classmethod
    def from_key(cls, key: str) -> Scope:
        parts = dict(p.split("=", 1) for p in key.split(";"))
        d, f, v = parts["d"], parts["f"], parts["v"]
        return cls(
            None if d == "*" else frozenset(c for c in d.split(",") if c),
            None if f == "*" else frozenset(c for c in f.split(",") if c),
            v or None,
        )
