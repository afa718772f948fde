"""Every server-side callback, replayed as a dean with inputs rewritten to another
department: no other 二级学院's name, major or figure ever comes back.

The callbacks are read from ``/_dash-dependencies`` at run time, so a callback
added with a new page is covered without touching this test. Each input and
state gets values a crafted request would use to reach another department
(its code in a URL, a query string, a store, a click), and every answer —
including files sent as base64 (CSV downloads) — is searched for the other
departments' names.
"""

from __future__ import annotations

import base64
import itertools
import json
from typing import Any

import pytest

from tests.cockpit.auth.conftest import csrf_of, post_callback, router_body

PAGES = (
    "/",
    "/department/{other}",
    "/department/{own}",
    "/indicator/placement_rate",
    "/indicator/internship_insured_rate",
    "/indicator/approval_backlog",
    "/approvals",
    "/internships",
    "/alerts",
    "/departments",
    "/m",
    "/catalog",
    "/reports",
    "/status",
    "/admin",
)
SEARCHES = (
    "",
    "?department={other}",
    "?grain=major&period=cohort:2026&department={other}",
    "?grain=department&period=cohort:2026",
    "?process=P01&department={other}",
    "?lang=en&department={other}",
)


def _split_outputs(output: str) -> list[str]:
    if output.startswith(".."):
        return [o for o in output[2:-2].split("...") if o]
    return [output.split("@")[0]]


def _parse(item: str) -> tuple[Any, str]:
    """'{"type":"x","k":["ALL"]}.prop' or 'id.prop' -> (id, prop)."""
    ident, _, prop = item.rpartition(".")
    if ident.startswith("{"):
        return json.loads(ident), prop
    return ident, prop


def _concrete(pattern: Any, school) -> Any:
    """A pattern-matching id with its wildcards filled as a page would have them."""
    if not isinstance(pattern, dict):
        return pattern
    fill = {
        "metric": "placement_rate",
        "panel": "ranking",
        "screen": "department",
        "part": "ticker",
    }
    return {k: (fill.get(k, school.other) if isinstance(v, list) else v) for k, v in pattern.items()}


def _values(ident: Any, prop: str, school) -> list[Any]:
    """Values a crafted request would send for one input or state."""
    fmt = {"own": school.own, "other": school.other}
    name = ident if isinstance(ident, str) else ident.get("type", "")
    if prop == "pathname":
        return [p.format(**fmt) for p in PAGES]
    if prop == "search":
        return [s.format(**fmt) for s in SEARCHES]
    if prop == "clickData":
        return [{"points": [{"customdata": school.other, "x": school.other, "y": school.other}]}]
    if prop == "n_clicks" or prop == "n_intervals":
        return [1]
    if name == "wall-scope":
        return [school.other, school.own, ""]
    if prop == "data":
        return [school.other, None]
    if prop == "value":
        return [school.other, "major", "cohort:2026"]
    return [school.other]


def _entry(ident: Any, prop: str, value: Any, school, pattern: bool) -> Any:
    e = {"id": _concrete(ident, school), "property": prop, "value": value}
    return [e] if pattern else e


def _bodies(dep: dict, school) -> list[dict]:
    """Request bodies for one callback: the cross product of crafted values (bounded)."""
    outputs = []
    for item in _split_outputs(dep["output"]):
        ident, prop = _parse(item)
        entry = {"id": _concrete(ident, school), "property": prop}
        outputs.append(
            [entry] if isinstance(ident, dict) and any(isinstance(v, list) for v in ident.values()) else entry
        )
    slots = [("inputs", i) for i in dep["inputs"]] + [("state", s) for s in dep["state"]]
    choices = []
    for _kind, slot in slots:
        ident, prop = (
            _parse(slot["id"] + "." + slot["property"])
            if not slot["id"].startswith("{")
            else (
                json.loads(slot["id"]),
                slot["property"],
            )
        )
        choices.append(_values(ident, prop, school))
    bodies = []
    for combo in itertools.islice(itertools.product(*choices), 80):
        inputs, state = [], []
        for (kind, slot), value in zip(slots, combo, strict=True):
            ident = json.loads(slot["id"]) if slot["id"].startswith("{") else slot["id"]
            pattern = isinstance(ident, dict) and any(isinstance(v, list) for v in ident.values())
            (inputs if kind == "inputs" else state).append(
                _entry(ident, slot["property"], value, school, pattern)
            )
        first = dep["inputs"][0]
        bodies.append(
            {
                "output": dep["output"],
                "outputs": outputs if len(outputs) > 1 or dep["output"].startswith("..") else outputs[0],
                "inputs": inputs,
                "state": state,
                "changedPropIds": [f"{first['id']}.{first['property']}"],
            }
        )
    return bodies


def _text_of(response: Any) -> str:
    """The answer as text, with base64 file contents (downloads) decoded."""
    text = response.get_data(as_text=True)
    try:
        data = json.loads(text)
    except ValueError:
        return text
    extra: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("base64") and isinstance(node.get("content"), str):
                extra.append(base64.b64decode(node["content"]).decode("utf-8", "replace"))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(data)
    return "\n".join([json.dumps(data, ensure_ascii=False), *extra])


def test_every_callback_replayed_as_a_dean_leaks_no_other_department(as_user, school):
    dean = as_user("dean")
    deps = dean.get("/_dash-dependencies").get_json()
    server_side = [d for d in deps if not d.get("clientside_function")]
    assert len(server_side) >= 8  # the router, nav, wall redraw, clicks, indicator, admin ...
    forbidden = school.names_of_others({school.own})
    assert forbidden  # the demo has other departments and majors to leak
    headers = {"X-CSRFToken": csrf_of(dean)}
    tried = 0
    for dep in server_side:
        for body in _bodies(dep, school):
            r = dean.post("/_dash-update-component", json=body, headers=headers)
            assert r.status_code in (200, 204, 403), (dep["output"], body, r.status_code)
            text = _text_of(r)
            leaked = sorted(n for n in forbidden if n in text)
            assert not leaked, (
                f"{dep['output']} answered {leaked[:3]} to {json.dumps(body, ensure_ascii=False)[:400]}"
            )
            tried += 1
    assert tried > 100


@pytest.mark.parametrize("path", ["/department/{other}", "/"])
def test_replay_as_leader_does_show_other_departments(as_user, school, path):
    """The control: the same replay as a leader finds the names, so the search above can fail."""
    boss = as_user("boss")
    r = post_callback(boss, router_body(path.format(other=school.other)))
    assert school.labels["department"][school.other]["name_zh"] in _text_of(r)
