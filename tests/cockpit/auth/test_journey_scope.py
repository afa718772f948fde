"""The leader's journey as a dean (issue 9), through the real app: the step drill and the
internship host list show their department's rows only, and a ``?department=`` outside
the grant is refused, on the page and in the CSV callbacks."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

from tests.cockpit.auth.conftest import post_callback, router


def _post(client, body: dict) -> tuple[int, str]:
    r = post_callback(client, body)
    return r.status_code, r.get_data(as_text=True)


def _csv(client, button: str, download: str, location: str, search: str) -> str | None:
    status, text = _post(
        client,
        {
            "output": f"{download}.data",
            "outputs": {"id": download, "property": "data"},
            "inputs": [{"id": button, "property": "n_clicks", "value": 1}],
            "state": [{"id": location, "property": "search", "value": search}],
            "changedPropIds": [f"{button}.n_clicks"],
        },
    )
    if status == 204:
        return None
    assert status == 200, (status, text[:500])
    answer = json.loads(text)["response"].get(download)
    if answer is None:  # no_update: nothing sent
        return None
    data = answer["data"]
    return base64.b64decode(data["content"]).decode("utf-8-sig")


def _busiest(snap, department: str) -> tuple[str, str]:
    """A (process, step) where both ``department`` and others have pending instances."""
    by: dict[tuple[str, str], set[str]] = {}
    for g in snap.series["approval_steps"]["pending"]:
        if g["step"] is not None:
            by.setdefault((g["process"], g["step"]), set()).add(g["department"])
    mixed = [k for k, depts in by.items() if department in depts and len(depts) > 1]
    return sorted(mixed)[0] if mixed else sorted(by)[0]


def test_dean_sees_their_pending_at_a_step_only(as_user, school, demo_store):
    snap = demo_store.store.get(demo_store.snapshot_id)
    process, step = _busiest(snap, school.own)
    dean = as_user("dean")
    search = f"?process={process}&step={quote(step)}"
    status, page = router(dean, "/approvals", search)
    assert status == 200
    at_step = [p for p in snap.pending if (p["process"], p["step"]) == (process, step)]
    for p in at_step:
        assert (p["instance_id"] in page) is (p["department"] == school.own), p
    for name in school.names_of_others({school.own}):
        assert name not in page, name
    csv_text = _csv(dean, "approvals-csv-button", "approvals-csv", "approvals-location", search)
    if any(p["department"] == school.own for p in at_step):
        assert csv_text is not None
    for p in at_step:
        assert (p["instance_id"] in (csv_text or "")) is (p["department"] == school.own)


def test_dean_host_list_counts_their_department_only(as_user, school, demo_store):
    snap = demo_store.store.get(demo_store.snapshot_id)
    dean = as_user("dean")
    status, page = router(dean, "/internships")
    assert status == 200
    for name in school.names_of_others({school.own}):
        assert name not in page, name
    rows = snap.series["internship_hosts"]["rows"]
    own = {r["enterprise"] for r in rows if r["department"] == school.own}
    flagged = {
        r["enterprise"]
        for r in rows
        if r["department"] == school.own and (r["uninsured"] or r["underpaid"] or r["low_score"])
    }
    for ent in {r["enterprise"] for r in rows} - own:
        assert ent not in page  # a host of other departments' interns only
    for ent in flagged:
        assert ent in page


def test_a_department_outside_the_grant_is_refused(as_user, school, demo_store):
    snap = demo_store.store.get(demo_store.snapshot_id)
    process, step = _busiest(snap, school.other)
    dean = as_user("dean")
    other_name = school.labels["department"][school.other]["name_zh"]
    for path, search in (
        ("/internships", f"?department={school.other}"),
        ("/approvals", f"?department={school.other}"),
        ("/approvals", f"?process={process}&step={quote(step)}&department={school.other}"),
    ):
        status, page = router(dean, path, search)
        assert status == 200
        assert "无权" in page or "不在" in page or "没有找到" in page or "desk-missing" in page, page[:300]
        assert other_name not in page
    assert (
        _csv(
            dean,
            "internship-hosts-csv-button",
            "internship-hosts-csv",
            "internship-hosts-location",
            f"?department={school.other}",
        )
        is None
    )
    assert (
        _csv(
            dean,
            "approvals-csv-button",
            "approvals-csv",
            "approvals-location",
            f"?process={process}&step={quote(step)}&department={school.other}",
        )
        is None
    )


def test_leader_sees_every_department_at_a_step(as_user, school, demo_store):
    """The control: the same request as a leader does list other departments' instances."""
    snap = demo_store.store.get(demo_store.snapshot_id)
    process, step = _busiest(snap, school.own)
    _, page = router(as_user("boss"), "/approvals", f"?process={process}&step={quote(step)}")
    for p in snap.pending:
        if (p["process"], p["step"]) == (process, step):
            assert p["instance_id"] in page
