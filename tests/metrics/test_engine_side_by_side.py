"""Pushdown on a pooled source runs the quality counts, families and extras side
by side on at most ``engine.max_connections`` connections; a failing family
still loses only its own indicators. Concurrency is shown by state (a barrier
both tasks must reach together, a high-water mark of tasks running at once),
never by how long anything took."""

from __future__ import annotations

import threading
from datetime import date, datetime

import pytest
from engine_modes import engine_options
from metric_asserts import department, school
from sqlalchemy import create_engine

import metrics.engine as engine_mod
from metrics.catalog import load_catalog
from metrics.contract import METADATA
from metrics.engine import _side_by_side, compute
from metrics.workdays import WorkCalendar

D = date(2026, 3, 18)
_PROCESS = {"process_code": "PF", "name_zh": "报销", "category": "finance", "sla_workdays": 2}
_INSTANCE = {
    "instance_id": "a01",
    "process_code": "PF",
    "department_code": "D01",
    "submitted_at": datetime(2026, 3, 16, 9),
    "finished_at": None,
    "outcome": None,
}


def _running_at_once(workers: int, tasks: int) -> int:
    """The most tasks ``_side_by_side`` ever ran at once (each waits until it is
    joined by another, or until it is sure none will come)."""
    lock = threading.Lock()
    state = {"now": 0, "most": 0}
    two_met = threading.Event()

    def task(_ctx):
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
            if state["now"] >= 2:
                two_met.set()
        two_met.wait(timeout=0.5 if workers == 1 else 30)
        with lock:
            state["now"] -= 1
        return "done"

    out = _side_by_side(lambda t: t(None), {f"t{i}": task for i in range(tasks)}, workers)
    assert list(out.values()) == ["done"] * tasks
    return state["most"]


def test_one_worker_runs_one_task_at_a_time():
    assert _running_at_once(1, 3) == 1


@pytest.mark.parametrize("workers", [2, 3])
def test_workers_run_together_but_never_more(workers):
    assert 2 <= _running_at_once(workers, 6) <= workers


def test_results_keep_the_order_of_the_tasks_and_failures_are_returned():
    boom = RuntimeError("boom")

    def fail(_ctx):
        raise boom

    out = _side_by_side(lambda t: t(None), {"a": lambda _c: 1, "b": fail, "c": lambda _c: 3}, 2)
    assert list(out) == ["a", "b", "c"]
    assert out["a"] == 1 and out["b"] is boom and out["c"] == 3


def test_a_failing_family_side_by_side_loses_only_its_indicators(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'source.sqlite'}"
    source = create_engine(url)  # a pool of 5: the two configured connections are used
    METADATA.create_all(source)
    with source.begin() as conn:
        conn.execute(METADATA.tables["school_profile"].insert(), school())
        conn.execute(METADATA.tables["department"].insert(), [department("D01")])
        conn.execute(METADATA.tables["approval_process"].insert(), [_PROCESS])
        conn.execute(METADATA.tables["approval_instance"].insert(), [_INSTANCE])

    def broken(_ctx):
        raise RuntimeError("steps exploded")

    monkeypatch.setattr(engine_mod.steps, "compute", broken)
    monkeypatch.setitem(engine_mod.FAMILIES, "steps", engine_mod.steps)
    try:
        options = engine_options("pushdown")
        assert options.connections == 2
        result = compute(source, D, options=options, calendar=WorkCalendar())
    finally:
        source.dispose()
    steps_ids = {m.id for m in load_catalog().by_family("steps")}
    assert steps_ids and set(result.failed) == steps_ids
    assert all("steps exploded" in why for why in result.failed.values())
    backlog = [v for v in result.values if v.metric == "approval_backlog" and not v.dims]
    assert [v.value for v in backlog] == [1.0], "the approvals family still landed"
    assert [p["instance_id"] for p in result.pending] == ["a01"], "and the drill beside it"
    assert not {v.metric for v in result.values} & steps_ids
    assert result.quality, "the quality counts ran beside the families"
