"""Service functions of the desk pages: one indicator in depth, approvals by
process and step, the catalog, and the data status.

Same rules as cockpit.service (whose memoized readers this module reuses):
pages get plain dicts and lists, read only from the snapshot store, cached
under the snapshot id so a new snapshot never serves a stale figure, and every
call takes the request's Scope (no default). A row is returned only when
``service.row_visible`` allows it: a department's or its majors' rows within the
scope's view or grant, school-level rows (process, step, industry) in the school
view; an indicator outside the scope's families is unknown to it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cockpit.extensions import cache
from cockpit.service import (
    Scope,
    _combine,
    _ctx,
    _in_scope,
    _local,
    _snapshot_meta,
    _values,
    allows_metric,
    current_snapshot_id,
    row_visible,
    status_of,
)

# Grains a restricted scope may see (they belong to a department).
_DEPARTMENT_GRAINS = ("department", "major")
HISTORY_GRAIN_LINES = 12  # above this many groups the trend shows the school line alone


# -- the catalog (no snapshot needed) --------------------------------------------


def _metric_dict(m: Any) -> dict[str, Any]:
    th = m.thresholds
    return {
        "id": m.id,
        "family": m.family,
        "name_zh": m.name_zh,
        "name_en": m.name_en,
        "definition_zh": m.definition_zh,
        "definition_en": m.definition_en,
        "formula": m.formula,
        "formula_en": m.formula_en,
        "unit": m.unit,
        "direction": m.direction,
        "grains": list(m.grains),
        "periods": list(m.periods),
        "owner": m.owner,
        "owner_en": m.owner_en,
        "sources": list(m.sources),
        "target": th.target,
        "warning": th.warning,
        "critical": th.critical,
    }


@cache.memoize()
def _configured_catalog() -> Any:
    """The catalog with config's thresholds attached (metrics.catalog.load_catalog),
    parsed once per app and cached: the app context's catalog is loaded
    without them, and the desk pages show targets and levels."""
    from metrics.catalog import load_catalog

    return load_catalog(_ctx().settings.thresholds)


def _catalog() -> Any:
    return _configured_catalog() if _ctx().catalog is not None else None


def metric_info(metric_id: str, scope: Scope) -> dict[str, Any] | None:
    """One indicator's catalog record with its configured thresholds, or None
    for an unknown id or one outside the scope's families (the page says so
    instead of failing)."""
    cat = _catalog()
    if cat is None or metric_id not in cat.metrics or not allows_metric(metric_id, scope):
        return None
    return _metric_dict(cat.metrics[metric_id])


def catalog_entries(scope: Scope) -> list[dict[str, Any]]:
    """Every indicator of the scope's families, in catalog order (指标字典)."""
    cat = _catalog()
    return [] if cat is None else [_metric_dict(m) for m in cat if allows_metric(m.id, scope)]


# -- labels ------------------------------------------------------------------------


def _label(labels: dict, grain: str, code: str, lang: str) -> str:
    entry = labels.get(grain, {}).get(code) or {}
    if lang == "en" and entry.get("name_en"):
        return entry["name_en"]
    return entry.get("name_zh") or code


def _dims_key_of(grain: str, dims: dict[str, str]) -> str:
    return f"{dims['process']}|{dims['step']}" if grain == "step" else dims[grain]


def _grain_of(dims: dict[str, str]) -> str:
    if not dims:
        return "school"
    if "step" in dims:
        return "step"
    return next(iter(dims))


def _level(metric_id: str, value: float | None) -> str | None:
    """The alert level of a value under the configured thresholds (the same
    rule metrics.alerts applies to the current period), or None."""
    from metrics.alerts import level_of

    cat = _catalog()
    if value is None or cat is None or metric_id not in cat.metrics:
        return None
    hit = level_of(cat.metrics[metric_id], value)
    return hit[0] if hit else None


# -- one indicator -----------------------------------------------------------------


def _default_period(metric: dict, periods: list[str], as_of: str) -> str | None:
    """The indicator family's current period (metrics.alerts) when the snapshot
    has it, else the newest period of the first kind the catalog lists."""
    from metrics.alerts import current_periods

    current = current_periods(date.fromisoformat(as_of)).get(metric["family"], set())
    for kind in metric["periods"]:
        hits = sorted(p for p in periods if p in current and p.startswith(kind + ":"))
        if hits:
            return hits[-1]
    for kind in metric["periods"]:
        of_kind = sorted(p for p in periods if p.startswith(kind + ":"))
        if of_kind:
            return of_kind[-1]
    return None


@cache.memoize()
def _periods(snapshot_id: int, metric_id: str) -> list[str]:
    return sorted({r["period"] for r in _values(snapshot_id, (metric_id,))}, reverse=True)


def indicator_state(metric_id: str, scope: Scope) -> dict[str, Any] | None:
    """What the selectors offer for one indicator in the current snapshot:
    periods (newest first), the default period, grains the scope may break it
    down by, the default grain, and the snapshot meta. None without a snapshot."""
    sid = current_snapshot_id()
    metric = metric_info(metric_id, scope)
    if sid is None or metric is None:
        return None
    meta = _snapshot_meta(sid)
    periods = _periods(sid, metric_id)
    grains = [g for g in metric["grains"] if g != "school"]
    if scope.view is not None:
        grains = [g for g in grains if g in _DEPARTMENT_GRAINS]
    return {
        "snapshot": meta,
        "periods": periods,
        "default_period": _default_period(metric, periods, meta["as_of"]),
        "grains": grains,
        "default_grain": grains[0] if grains else "school",
    }


def major_of(code: str | None, scope: Scope) -> dict[str, Any] | None:
    """A major of the current snapshot that the scope's view may open: its names and
    department; None when unknown or outside the view (the same answer)."""
    sid = current_snapshot_id()
    if not code or sid is None:
        return None
    labels = (_snapshot_meta(sid) or {}).get("labels") or {}
    lab = labels.get("major", {}).get(code)
    if lab is None or not row_visible({"major": code}, labels, scope):
        return None
    return {
        "code": code,
        "name_zh": lab.get("name_zh", code),
        "name_en": lab.get("name_en") or lab.get("name_zh", code),
        "department": lab.get("department"),
    }


@cache.memoize()
def _breakdown(
    snapshot_id: int, metric_id: str, period: str, grain: str, scope_key: str, lang: str, major: str = ""
) -> dict[str, Any]:
    scope = Scope.from_key(scope_key)
    meta = _snapshot_meta(snapshot_id) or {}
    labels = meta.get("labels") or {}
    empty = {"period": period, "grain": grain, "total": None, "rows": []}
    if not allows_metric(metric_id, scope):
        return empty
    rows = [r for r in _values(snapshot_id, (metric_id,)) if r["period"] == period]
    if major:  # a major's view: its own figure, nothing below a major
        if not row_visible({"major": major}, labels, scope):
            return empty
        mine = _combine(metric_id, [r for r in rows if r["dims"] == {"major": major}])
        total = None if mine is None else {**mine, "level": status_of(metric_id, mine["value"])}
        return {**empty, "total": total}
    total_rows = [r for r in rows if _in_scope(r["dims"], scope)]
    total = _combine(metric_id, total_rows)
    out = []
    for r in rows:
        dims = r["dims"]
        if grain == "school" or _grain_of(dims) != grain or not row_visible(dims, labels, scope):
            continue
        row: dict[str, Any] = {
            "key": _dims_key_of(grain, dims),
            "name": dims["step"] if grain == "step" else _label(labels, grain, dims[grain], lang),
            "value": r["value"],
            "numerator": r["numerator"],
            "denominator": r["denominator"],
            "level": _level(metric_id, r["value"]),
            "status": status_of(metric_id, r["value"]),
        }
        if grain == "major":
            dept = (labels.get("major", {}).get(dims["major"]) or {}).get("department")
            row["parent"] = _label(labels, "department", dept, lang) if dept else ""
        elif grain == "step":
            row["parent"] = _label(labels, "process", dims["process"], lang)
        out.append(row)
    out.sort(key=lambda x: (x.get("parent", ""), x["key"]))
    return {
        "period": period,
        "grain": grain,
        "total": None if total is None else {**total, "level": status_of(metric_id, total["value"])},
        "rows": out,
    }


def breakdown(
    metric_id: str, period: str, grain: str, scope: Scope, lang: str = "zh", major: str | None = None
) -> dict[str, Any] | None:
    """One indicator in one period by grain: {"total": the scope's figure (the
    school row, or the scope's departments combined), "rows": [{"key", "name",
    "parent" (a major's department, a step's process), "value", "numerator",
    "denominator", "level"}]}. The level is what the thresholds say of the
    value (for the current period it equals the stored alert)."""
    sid = current_snapshot_id()
    if sid is None:
        return None
    return _breakdown(sid, metric_id, period, grain, scope.key, lang, major or "")


@cache.memoize()
def _history_ids(current_id: int, as_of_dates: tuple[str, ...]) -> list[tuple[int, str]]:
    """(snapshot id, as-of) of the latest successful snapshot of each as-of
    date, oldest first. Keyed by the current id and the set of dates so a new
    backfill or refresh gives a new key."""
    store = _ctx().store
    out = []
    for d in as_of_dates:
        snap = store.for_as_of(date.fromisoformat(d))
        if snap is not None:
            out.append((snap.id, d))
    return out


def snapshot_history() -> list[tuple[int, str]]:
    """Successful snapshots, one per as-of date (the latest finished), oldest first, up to
    the request's snapshot (a past ?as_of= shows the history as it was then)."""
    sid = current_snapshot_id()
    if sid is None:
        return []
    upto = (_snapshot_meta(sid) or {}).get("as_of") or "9999"
    days = (d.isoformat() for d in _ctx().store.successful_as_of_dates())
    return _history_ids(sid, tuple(sorted(d for d in days if d <= upto)))


def history(
    metric_id: str, period: str, grain: str, scope: Scope, lang: str = "zh", major: str | None = None
) -> dict[str, Any]:
    """The value of one period over the snapshots in the store: {"as_of":
    [dates], "series": [{"key", "name", "values"}]}, the scope's total first,
    then one series per group of the grain (when there are at most
    HISTORY_GRAIN_LINES). A day period follows each snapshot's own day."""
    snaps = snapshot_history()
    as_of = [d for _sid, d in snaps]
    total: list[float | None] = []
    groups: dict[str, dict[str, Any]] = {}
    for i, (sid, d) in enumerate(snaps):
        p = f"day:{d}" if period.startswith("day:") else period
        b = _breakdown(sid, metric_id, p, grain, scope.key, lang, major or "")
        total.append(b["total"]["value"] if b["total"] else None)
        for r in b["rows"]:
            blank: list[float | None] = [None] * len(snaps)
            g = groups.setdefault(r["key"], {"key": r["key"], "name": r["name"], "values": blank})
            g["values"][i] = r["value"]
    series = [{"key": "__total__", "name": None, "values": total}]
    if len(groups) <= HISTORY_GRAIN_LINES:
        series += [groups[k] for k in sorted(groups)]
    # Leave out the snapshots before the period existed (a month, a new cohort).
    first = next(
        (i for i in range(len(as_of)) if any(s["values"][i] is not None for s in series)), len(as_of)
    )
    for s in series:
        s["values"] = s["values"][first:]
    return {"as_of": as_of[first:], "series": series}


def period_series(metric_id: str, kind: str, scope: Scope, major: str | None = None) -> list[dict[str, Any]]:
    """The scope's (or one major's) value for every period of one kind (the 12 months,
    13 weeks, or the cohorts) inside the current snapshot, oldest first."""
    sid = current_snapshot_id()
    if sid is None or not allows_metric(metric_id, scope):
        return []
    labels = (_snapshot_meta(sid) or {}).get("labels") or {}
    if major and not row_visible({"major": major}, labels, scope):
        return []
    by_period: dict[str, list[dict[str, Any]]] = {}
    for r in _values(sid, (metric_id,)):
        mine = r["dims"] == {"major": major} if major else _in_scope(r["dims"], scope)
        if r["period"].startswith(kind + ":") and mine:
            by_period.setdefault(r["period"], []).append(r)
    out = []
    for p in sorted(by_period):
        fig = _combine(metric_id, by_period[p])
        out.append({"period": p, "value": fig["value"] if fig else None})
    return out


# -- approvals ------------------------------------------------------------------------

_PROCESS_MONTH = ("approval_volume", "approval_latency_p50", "approval_latency_p90", "approval_overdue_rate")
_PROCESS_DAY = ("approval_backlog", "approval_oldest_pending_days")


@cache.memoize()
def _processes(snapshot_id: int, lang: str) -> dict[str, Any]:
    meta = _snapshot_meta(snapshot_id) or {}
    labels = meta.get("labels") or {}
    as_of = meta.get("as_of", "")
    month, day = f"month:{as_of[:7]}", f"day:{as_of}"
    rows = _values(snapshot_id, _PROCESS_MONTH + _PROCESS_DAY)
    by: dict[str, dict[str, Any]] = {}
    for code, info in labels.get("process", {}).items():
        by[code] = {
            "process": code,
            "name": _label(labels, "process", code, lang),
            "sla": info.get("sla_workdays"),
        }
    for r in rows:
        dims = r["dims"]
        if set(dims) != {"process"} or r["period"] not in (month, day):
            continue
        entry = by.setdefault(dims["process"], {"process": dims["process"], "name": dims["process"]})
        entry[r["metric"]] = r["value"]
        entry[r["metric"] + "__level"] = _level(r["metric"], r["value"])
    out = sorted(by.values(), key=lambda e: e["process"])
    return {"month": month, "day": day, "processes": out}


def approvals_processes(scope: Scope, lang: str = "zh") -> dict[str, Any] | None:
    """The process list of D's month: volume, P50, P90, overdue rate, and at
    end of D the backlog and oldest pending age, per process (every process of
    the labels, so one with no traffic shows empty cells). School scope only;
    a restricted scope gets an empty list. None without a snapshot."""
    sid = current_snapshot_id()
    if sid is None:
        return None
    data = _processes(sid, lang)
    if scope.view is not None or not allows_metric("approval_volume", scope):
        return {**data, "processes": []}
    return data


@cache.memoize()
def _steps(snapshot_id: int, process: str) -> dict[str, Any]:
    meta = _snapshot_meta(snapshot_id) or {}
    month = f"month:{meta.get('as_of', '')[:7]}"
    steps: dict[str, dict[str, Any]] = {}
    months: set[str] = set()
    for r in _values(snapshot_id, ("step_latency_p50",)):
        if r["dims"].get("process") != process or "step" not in r["dims"]:
            continue
        months.add(r["period"])
        s = steps.setdefault(r["dims"]["step"], {"step": r["dims"]["step"], "series": {}})
        s["series"][r["period"]] = r["value"]
        if r["period"] == month:
            s["value"], s["n"] = r["value"], r["denominator"]
            s["level"] = _level("step_latency_p50", r["value"])
    order = (_series(snapshot_id, "approval_steps") or {}).get("order", {}).get(process) or []
    for name in order:  # a step of the workflow with no action in the 12 months still shows
        steps.setdefault(name, {"step": name, "series": {}})
    out = []
    for s in steps.values():
        s.setdefault("value", None)
        s.setdefault("n", None)
        s.setdefault("level", None)
        s["position"] = order.index(s["step"]) + 1 if s["step"] in order else None
        out.append(s)
    # Workflow order (the snapshot's step order, metrics/families/approvals.py); a
    # snapshot without it, or a step outside it, slowest first after.
    out.sort(key=lambda s: (s["position"] is None, s["position"] or 0, -(s["value"] or 0)))
    return {"month": month, "months": sorted(months), "steps": out}


def process_steps(process: str, scope: Scope) -> dict[str, Any] | None:
    """One process's steps in workflow order (``position`` 1..n; steps the snapshot
    cannot place come last, slowest first): step_latency_p50 of D's month (value,
    n = the number of step actions, level) and each step's series over the
    snapshot's 12 months. None without a snapshot; school scope only."""
    sid = current_snapshot_id()
    if sid is None:
        return None
    data = _steps(sid, process)
    if scope.view is not None or not allows_metric("step_latency_p50", scope):
        return {**data, "steps": []}
    return data


@cache.memoize()
def _pending(snapshot_id: int, lang: str) -> list[dict[str, Any]]:
    snap = _ctx().store.get(snapshot_id)
    labels = (snap.labels or {}) if snap else {}
    out = []
    for p in (snap.pending or []) if snap else []:
        out.append(
            {
                "instance_id": p.get("instance_id"),
                "process": p.get("process"),
                "process_name": _label(labels, "process", p.get("process") or "", lang),
                "department": p.get("department"),
                "department_name": _label(labels, "department", p.get("department") or "", lang),
                "step": p.get("step"),
                "step_no": p.get("step_no"),
                "submitted_at": p.get("submitted_at"),
                "age_workdays": p.get("age_workdays"),
                "step_age_workdays": p.get("step_age_workdays"),
                "sla_workdays": p.get("sla_workdays"),
                "over_sla": p.get("over_sla"),
            }
        )
    out.sort(key=lambda p: -(p["age_workdays"] or 0))
    return out


def oldest_pending(
    scope: Scope, process: str | None = None, limit: int = 20, lang: str = "zh"
) -> list[dict[str, Any]]:
    """The oldest pending instances of the snapshot's ``pending`` list, oldest
    first: instance id, process, department (code and name), waiting step,
    submitted at, working-day age. No personal names (there are none)."""
    sid = current_snapshot_id()
    if sid is None or not allows_metric("approval_backlog", scope):
        return []
    rows = _pending(sid, lang)
    if process is not None:
        rows = [r for r in rows if r["process"] == process]
    rows = [r for r in rows if scope.visible_departments([r["department"] or "?"])]
    return rows[:limit]


# -- data status ------------------------------------------------------------------------


@cache.memoize()
def _quality(snapshot_id: int) -> list[dict[str, Any]]:
    return [
        {"rule": q.rule, "table": q.table, "rows": q.rows, "examples": list(q.examples)}
        for q in _ctx().store.quality(snapshot_id)
    ]


def data_status(scope: Scope, limit: int = 20) -> dict[str, Any]:
    """The status page: recent snapshots (uncached, they change while a refresh
    runs), the current snapshot's data-quality counts, source row counts and
    failed metrics, the next scheduled run, and the last attempt when it failed.
    The examples of bad rows name keys of any department, so only a whole-school,
    all-families scope gets them (the web layer also limits /status to leaders
    and admins); another scope gets the counts without examples."""
    ctx = _ctx()
    tz = ctx.settings.refresh.tz
    snaps = ctx.store.list(limit=limit)
    sid = current_snapshot_id()
    meta = _snapshot_meta(sid) if sid is not None else None
    last = snaps[0] if snaps else None
    next_run = ctx.next_run_time()
    return {
        "current": meta,
        "snapshots": [
            {
                "id": s.id,
                "as_of": s.as_of.isoformat(),
                "started_at": _local(s.started_at, tz),
                "duration_s": s.duration_s,
                "status": s.status,
                "trigger": s.trigger,
                "error": s.error,
                "current": s.id == sid,
            }
            for s in snaps
        ],
        "quality": [
            q if scope.departments is None and scope.families is None else {**q, "examples": []}
            for q in (_quality(sid) if sid is not None else [])
        ],
        "source_counts": dict(meta["source_counts"]) if meta else {},
        "extract": ctx.store.extract_stats(sid) if sid is not None else {},
        "failed_metrics": dict(meta["failed_metrics"]) if meta else {},
        "next_run": _local(next_run, tz) if next_run else None,
        "background": ctx.store.tasks(),  # history backfill, first reports (cockpit/history.py)
        "last_failed": (
            {"id": last.id, "started_at": _local(last.started_at, tz), "error": last.error}
            if last is not None and last.status == "failed"
            else None
        ),
    }


# -- the leader's journey (issue 9): a step's pending instances, internship hosts ---------


@cache.memoize()
def _series(snapshot_id: int, name: str) -> Any:
    """One entry of a snapshot's ``series`` (None when the snapshot has none: older ones)."""
    snap = _ctx().store.get(snapshot_id)
    return ((snap.series or {}) if snap else {}).get(name)


def _item_url(instance_id: str) -> str | None:
    """The OA link of an instance (config approvals.item_url), None when unset."""
    settings = _ctx().settings
    approvals = getattr(settings, "approvals", None)
    return approvals.link(instance_id) if approvals is not None else None


@cache.memoize()
def _step_pending(snapshot_id: int, process: str, scope_key: str) -> dict[str, Any]:
    """Pending counts and the oldest age per waiting step of one process, in the scope."""
    scope = Scope.from_key(scope_key)
    meta = _snapshot_meta(snapshot_id) or {}
    labels = meta.get("labels") or {}
    drill = _series(snapshot_id, "approval_steps") or {}
    rows = [r for r in _pending(snapshot_id, "zh") if r["process"] == process]
    rows = [r for r in rows if row_visible({"department": r["department"] or "?"}, labels, scope)]
    counts: dict[str | None, int] = {}
    if drill.get("pending") is not None:  # exact counts beside the (capped) list
        for g in drill["pending"]:
            if g["process"] == process and row_visible({"department": g["department"]}, labels, scope):
                counts[g["step"]] = counts.get(g["step"], 0) + int(g["count"])
    else:  # an older snapshot: the list is all there is
        for r in rows:
            counts[r["step"]] = counts.get(r["step"], 0) + 1
    oldest: dict[str | None, float] = {}
    for r in rows:
        age = r["age_workdays"] or 0
        oldest[r["step"]] = max(oldest.get(r["step"], 0), age)
    steps = {
        step: {"pending": n, "oldest_age": oldest.get(step)} for step, n in counts.items() if step is not None
    }
    return {"steps": steps, "no_step": counts.get(None, 0), "total": sum(counts.values())}


def step_pending(process: str, scope: Scope) -> dict[str, Any]:
    """How many instances of one process wait at each step at end of D, in the scope:
    {"steps": {step name: {"pending", "oldest_age"}}, "no_step": instances whose steps
    are all acted but which are not closed, "total"}. Counted by the applicant's
    department, so a dean counts their department's instances only; empty for a scope
    without the approvals family or without a snapshot."""
    sid = current_snapshot_id()
    empty: dict[str, Any] = {"steps": {}, "no_step": 0, "total": 0}
    if sid is None or not allows_metric("approval_backlog", scope):
        return empty
    return _step_pending(sid, process, scope.key)


@cache.memoize()
def _pending_at_step(snapshot_id: int, process: str, step: str, scope_key: str, lang: str) -> dict[str, Any]:
    scope = Scope.from_key(scope_key)
    meta = _snapshot_meta(snapshot_id) or {}
    labels = meta.get("labels") or {}
    sla = (labels.get("process", {}).get(process) or {}).get("sla_workdays")
    rows = []
    for r in _pending(snapshot_id, lang):
        if r["process"] != process or r["step"] != step:
            continue
        if not row_visible({"department": r["department"] or "?"}, labels, scope):
            continue
        own_sla = r["sla_workdays"] if r.get("sla_workdays") is not None else sla
        age = r["age_workdays"]
        over = r.get("over_sla")
        if over is None:  # an older snapshot: the rule on the stored age
            over = age is not None and own_sla is not None and age > own_sla
        rows.append({**r, "sla_workdays": own_sla, "over_sla": bool(over)})
    rows.sort(key=lambda r: (-(r["age_workdays"] or 0), r["instance_id"] or ""))
    counted = _step_pending(snapshot_id, process, scope_key)["steps"].get(step, {}).get("pending", len(rows))
    return {
        "process": process,
        "process_name": _label(labels, "process", process, lang),
        "step": step,
        "sla_workdays": sla,
        "count": counted,
        "rows": rows,
    }


def pending_at_step(scope: Scope, process: str, step: str, lang: str = "zh") -> dict[str, Any] | None:
    """The instances of ``process`` waiting at ``step`` at end of D, in the scope, oldest
    first: instance id, applicant department (code and name), submitted at, working-day
    age and wait at the step, the process's SLA, ``over_sla`` (age > SLA) and ``url``, the
    school's OA page of the instance (config approvals.item_url; None when unset).
    ``count`` is the exact number waiting in the scope; the snapshot lists at most the 50
    oldest per department, so ``rows`` can be shorter. A dean gets their departments'
    instances only, a department view that department's; None without a snapshot, and
    for an unknown process or step (an outside department reads the same: no rows)."""
    sid = current_snapshot_id()
    if sid is None or not allows_metric("approval_backlog", scope):
        return None
    labels = (_snapshot_meta(sid) or {}).get("labels") or {}
    if process not in labels.get("process", {}):
        return None
    data = _pending_at_step(sid, process, step, scope.key, lang)
    url_rows = [{**r, "url": _item_url(r["instance_id"])} for r in data["rows"]]
    return {**data, "rows": url_rows}


_HOST_FIELDS = ("internships", "uninsured", "underpaid", "pay_known", "score_sum", "score_n", "low_score")


@cache.memoize()
def _internship_hosts(snapshot_id: int, scope_key: str, lang: str) -> dict[str, Any] | None:
    scope = Scope.from_key(scope_key)
    data = _series(snapshot_id, "internship_hosts")
    if not data:
        return None
    labels = (_snapshot_meta(snapshot_id) or {}).get("labels") or {}
    low_known = data.get("low_score_below") is not None
    by: dict[str, dict[str, Any]] = {}
    for r in data.get("rows", []):
        if not row_visible({"department": r["department"]}, labels, scope):
            continue
        e = by.setdefault(r["enterprise"], dict.fromkeys(_HOST_FIELDS, 0) | {"departments": []})
        for k in _HOST_FIELDS:
            e[k] += r.get(k) or 0
        e["departments"].append(r["department"])
    names = data.get("enterprises", {})
    rows = []
    for code, e in by.items():
        if not (e["uninsured"] or e["underpaid"] or e["low_score"]):
            continue  # its issues are in departments outside the scope
        info = names.get(code) or {}
        rows.append(
            {
                "enterprise": code,
                "name": info.get("name_zh") or code,
                "is_partner": bool(info.get("is_partner")),
                "internships": int(e["internships"]),
                "uninsured": int(e["uninsured"]),
                "underpaid": int(e["underpaid"]),
                "pay_known": int(e["pay_known"]),
                "avg_score": e["score_sum"] / e["score_n"] if e["score_n"] else None,
                "score_n": int(e["score_n"]),
                "low_score": int(e["low_score"]) if low_known else None,
                "departments": [
                    {"code": d, "name": _label(labels, "department", d, lang)}
                    for d in sorted(e["departments"])
                ],
            }
        )
    rows.sort(key=lambda r: (-r["uninsured"], -r["underpaid"], -(r["low_score"] or 0), r["enterprise"]))
    return {
        "as_of": (_snapshot_meta(snapshot_id) or {}).get("as_of"),
        "cohort": data.get("cohort"),
        "period": f"cohort:{data.get('cohort')}",
        "low_score_below": data.get("low_score_below"),
        "rows": rows,
        "totals": {
            k: sum(r[k] or 0 for r in rows) for k in ("internships", "uninsured", "underpaid", "low_score")
        },
    }


def internship_hosts(scope: Scope, lang: str = "zh") -> dict[str, Any] | None:
    """The host enterprises of the current internship cohort with an uninsured or
    underpaid internship or a low score (below the warning threshold of
    internship_avg_score), in the scope, and the snapshot's ``as_of``. Per enterprise:
    code, name, partner flag, internships, uninsured, underpaid (of ``pay_known``),
    mean score (of ``score_n``), low scores and the departments its interns come from,
    counted over the scope's departments only (a dean sees their department's
    internships at each host, and not a host whose issues are all elsewhere). Most
    uninsured first, then underpaid, low scores, code. ``rows`` is empty for a scope
    without the internship family; None without a snapshot, and ``{"rows": None}``
    for a snapshot computed before these figures existed."""
    sid = current_snapshot_id()
    if sid is None:
        return None
    data = _internship_hosts(sid, scope.key, lang)
    if data is None:
        as_of = (_snapshot_meta(sid) or {}).get("as_of")
        return {
            "as_of": as_of,
            "cohort": None,
            "period": None,
            "low_score_below": None,
            "rows": None,
            "totals": {},
        }
    if not allows_metric("internship_insured_rate", scope):
        return {**data, "rows": [], "totals": {}}
    return data


__all__ = [
    "approvals_processes",
    "breakdown",
    "catalog_entries",
    "data_status",
    "history",
    "indicator_state",
    "internship_hosts",
    "metric_info",
    "oldest_pending",
    "pending_at_step",
    "period_series",
    "process_steps",
    "snapshot_history",
    "step_pending",
]
