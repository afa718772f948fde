"""cockpit.scope and cockpit.auth.identity: grants, narrowing, cache keys, page rules."""

from __future__ import annotations

import pytest

from cockpit.auth.identity import GrantError, Identity, normalise_grant
from cockpit.scope import OutOfScope, Scope


def test_narrow_never_widens():
    dean = Scope.of_departments(["A"])
    assert dean.narrow("A").view == "A"
    with pytest.raises(OutOfScope):
        dean.narrow("B")
    with pytest.raises(OutOfScope):
        dean.narrow("A").narrow("B")
    with pytest.raises(OutOfScope):
        Scope.department_only("A").narrow(None)  # a department view cannot become the school
    assert Scope.whole_school().narrow("B").view == "B"


def test_keys_differ_for_every_grant_and_view():
    scopes = [
        Scope.whole_school(),
        Scope.whole_school(["employment"]),
        Scope.of_departments(["A"]),
        Scope.of_departments(["A", "B"]),
        Scope.of_departments(["A"]).narrow("A"),
        Scope.whole_school().narrow("A"),
    ]
    keys = [s.key for s in scopes]
    assert len(set(keys)) == len(keys)
    assert all(Scope.from_key(s.key) == s for s in scopes)


def test_families_map_steps_to_approvals():
    office = Scope.whole_school(["approvals"])
    assert office.allows_family("approvals") and office.allows_family("steps")
    assert not office.allows_family("employment") and not office.allows_family(None)


@pytest.mark.parametrize(
    ("roles", "depts", "fams", "error"),
    [
        ([], None, None, "needs a role"),
        (["wizard"], None, None, "unknown role"),
        (["department"], None, None, "--department"),
        (["office"], None, None, "--family"),
        (["office"], None, ["money"], "unknown family"),
    ],
)
def test_bad_grants_are_refused(roles, depts, fams, error):
    with pytest.raises(GrantError, match=error):
        normalise_grant(roles, depts, fams)


def test_identity_scopes_deny_by_default():
    assert Identity("a", frozenset()).scope() is None
    assert Identity("a", frozenset({"admin"})).scope() is None
    assert Identity("a", frozenset({"department"}), departments=frozenset()).scope() is None
    assert Identity("a", frozenset({"office"})).scope() is None
    assert Identity("a", frozenset({"leader"})).scope() == Scope.whole_school()
    dean = Identity("d", frozenset({"department"}), departments=frozenset({"A"})).scope()
    assert dean == Scope.of_departments(["A"])


def test_wall_identity_is_bound_to_its_paths():
    wall = Identity.for_wall("w", ("/department/A",), None)
    assert wall.scope() == Scope.of_departments(["A"])
    assert wall.may_open("/department/A") and not wall.may_open("/department/B") and not wall.may_open("/")
    school = Identity.for_wall("s", ("/",), 30)
    assert school.scope() == Scope(None, None)
    assert school.may_open("/department/B")  # a rotating school wall shows every department
    assert not school.may_open("/indicator/placement_rate")
