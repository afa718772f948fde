"""The service layer the pages call: plain data from the current snapshot.

Pages never touch SQL or the store. Every function that returns a figure, a
name or a file takes the request's ``Scope`` (cockpit/scope.py) as a required
argument — there is no default, so a forgotten scope is an error, not the whole
school — and returns dicts, lists and numbers. A row attributed to a department
(dims ``department``, or a ``major`` of that department, or a pending approval's
applicant department) is returned only when the scope allows that department;
school-level rows (dims ``{}``, by process, step or industry) only in the school
view; an indicator only when the scope's families include its family. Cache
keys carry the scope's key. Reads are memoized with flask-caching keyed by the snapshot id: a
request first looks up the current snapshot id (one indexed query), and
everything read from that snapshot is cached until the id changes.

Must be called inside the Flask app built by ``cockpit.app.create_app``
(request or app context).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app, g, has_request_context

from cockpit.extensions import cache
from cockpit.scope import OutOfScope, Scope

__all__ = ["OutOfScope", "Scope"]  # re-exported: pages take both from here

# Values that combine across departments by summing numerators and
# denominators (rates, means) or values (counts); percentiles and maxima do not.
_NOT_ADDITIVE = {"approval_latency_p50", "approval_latency_p90", "step_latency_p50", "structure_fit_index"}
_MAX = {"approval_oldest_pending_days"}
_COUNTS = {"approval_volume", "approval_backlog", "internship_underpaid_count", "partner_enterprise_count"}
_DISTINCT = {"partner_enterprises_active"}  # distinct enterprises: not additive either


def _ctx():
    return current_app.extensions["cockpit"]


def current_snapshot_id() -> int | None:
    """The id of the current snapshot: one indexed query, then remembered for the
    rest of the request (a screen asks a dozen times while building its layout)."""
    if not has_request_context():
        return _ctx().store.current_id()
    if "cockpit_snapshot_id" not in g:
        g.cockpit_snapshot_id = _ctx().store.current_id()
        _forget_superseded(g.cockpit_snapshot_id)
    return g.cockpit_snapshot_id


def _forget_superseded(snapshot_id: int | None) -> None:
    """Empty this process's in-memory cache the first time a new current snapshot is seen.

    Every cached screen, figure and list is keyed by the snapshot it was read from,
    so once a new snapshot is current the old entries would only be read by a
    history view. Left in place they accumulate until the cache's threshold (a
    wall with a snapshot every few minutes grew the server by a fifth in an hour,
    docs/benchmarks.md "Soak"); dropped at once, the process holds about one
    snapshot's worth. A history view simply builds its entries again."""
    ctx = _ctx()
    previous = getattr(ctx, "seen_snapshot", None)
    if previous == snapshot_id:
        return
    ctx.seen_snapshot = snapshot_id
    # only the in-process SimpleCache: Redis keeps its own memory, bounded by its timeouts
    if previous is not None and dict(ctx.settings.cache).get("CACHE_TYPE") == "SimpleCache":
        cache.clear()


def pin_as_of(as_of: str | None) -> str | None:
    """Read this request from the snapshot of a past as-of date (desk pages'
    ``?as_of=YYYY-MM-DD``): the successful snapshot of that day becomes this request's
    current one. Returns the date when such a snapshot exists, else None (the caller
    says so and the request keeps today's snapshot). Request-scoped (flask.g)."""
    from datetime import date as _date

    if not as_of or not has_request_context():
        return None
    try:
        day = _date.fromisoformat(str(as_of))
    except ValueError:
        return None
    snap = _ctx().store.for_as_of(day)
    if snap is None:
        return None
    g.cockpit_snapshot_id = snap.id
    g.cockpit_as_of = day.isoformat()
    return day.isoformat()


def snapshot_dates(scope: Scope) -> list[str]:
    """Every as-of date with a successful snapshot, newest first (the history picker).
    The same for every scope; taken so that every caller has one."""
    del scope
    return sorted((d.isoformat() for d in _ctx().store.successful_as_of_dates()), reverse=True)


def _catalog():
    return _ctx().catalog


def metric_unit(metric: str) -> str:
    cat = _catalog()
    if cat is not None and metric in cat.metrics:
        return cat.metrics[metric].unit
    return "ratio" if metric.endswith("_rate") else "count"


# -- memoized reads, keyed by snapshot id ---------------------------------------


@cache.memoize()
def _snapshot_meta(snapshot_id: int) -> dict[str, Any] | None:
    snap = _ctx().store.get(snapshot_id)
    if snap is None:
        return None
    return {
        "id": snap.id,
        "as_of": snap.as_of.isoformat(),
        "finished_at": snap.finished_at.isoformat() if snap.finished_at else None,
        "status": snap.status,
        "failed_metrics": dict(snap.failed_metrics),
        "school": dict(snap.school),
        "source_counts": dict(snap.source_counts),
        "labels": snap.labels or {},
    }


@cache.memoize()
def _values(snapshot_id: int, metrics: tuple[str, ...]) -> list[dict[str, Any]]:
    return [v.as_json() for v in _ctx().store.values(snapshot_id, metric=list(metrics))]


def _in_scope(dims: dict[str, str], scope: Scope) -> bool:
    """Whether a row is THE figure of the scope's view: the school row (dims {}) in the
    school view, the department's own row in a department view."""
    if scope.view is None:
        return dims == {}
    return dims == {"department": scope.view}


def is_due(metric: str, period: str | None, as_of: str | None) -> bool:
    """Whether the indicator is measurable yet for that period at the snapshot's date
    (metrics.periods.is_due): False shows as "未到统计期" instead of a made-up 0."""
    from datetime import date as _date

    from metrics.periods import is_due as _is_due

    if not period or not as_of:
        return True
    return _is_due(metric, metric_family(metric) or "", period, _date.fromisoformat(as_of[:10]))


def metric_family(metric: str) -> str | None:
    mdef = _metric_def(metric)
    return mdef.family if mdef is not None else None


def allows_metric(metric: str, scope: Scope) -> bool:
    """Whether the scope's families include the indicator's family (unknown ids: no)."""
    return scope.allows_family(metric_family(metric))


def row_department(dims: dict[str, str], labels: dict[str, Any]) -> str | None:
    """The department a value row belongs to: its department, or its major's; None for a
    school-level row (no dims, or by process, step, industry)."""
    if "department" in dims:
        return dims["department"]
    if "major" in dims:
        return (labels.get("major", {}).get(dims["major"]) or {}).get("department") or "?"
    return None


def row_visible(dims: dict[str, str], labels: dict[str, Any], scope: Scope) -> bool:
    """Whether the scope may see a row: a department's row when the view (or, in the school
    view, the grant) includes that department; a school-level row in the school view only."""
    dept = row_department(dims, labels)
    if dept is None:
        return scope.view is None
    return bool(scope.visible_departments([dept]))


def _combine(metric: str, rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """One figure out of the scope's rows (a single row: itself)."""
    if not rows:
        return None
    if len(rows) == 1:
        r = rows[0]
        return {"value": r["value"], "numerator": r["numerator"], "denominator": r["denominator"]}
    if metric in _NOT_ADDITIVE or metric in _DISTINCT:
        return None
    if metric in _MAX:
        vals = [r["value"] for r in rows if r["value"] is not None]
        return {"value": max(vals) if vals else None, "numerator": None, "denominator": None}
    num = sum(r["numerator"] or 0 for r in rows)
    if metric in _COUNTS:
        dens = [r["denominator"] for r in rows if r["denominator"] is not None]
        return {"value": num, "numerator": num, "denominator": sum(dens) if dens else None}
    den = sum(r["denominator"] or 0 for r in rows)
    return {"value": (num / den) if den else None, "numerator": num, "denominator": den}


# -- WALL: the school and department big screens ------------------------------------
# Each public function looks up the current snapshot id and calls a memoized
# helper keyed by (snapshot id, scope key): one computation per snapshot and
# scope, however many walls poll. Names come back in both languages
# (name_zh/name_en) so one cached answer serves ?lang=en too.

TILES = (
    ("employment", "placement_rate"),
    ("employment", "major_related_rate"),
    ("employment", "avg_monthly_salary"),
    ("internship", "internship_rate"),
    ("internship", "internship_insured_rate"),
    ("internship", "internship_underpaid_count"),
    ("fit", "structure_fit_index"),
    ("approval_month", "approval_latency_p50"),
    ("approval_month", "approval_latency_p90"),
    ("approval_month", "approval_overdue_rate"),
    ("approval_day", "approval_backlog"),
)
INTERNSHIP_PANEL = (
    "internship_rate",
    "internship_match_rate",
    "internship_insured_rate",
    "internship_retention_rate",
)
DESTINATIONS = ("industry_fit_rate", "province_employment_rate", "city_employment_rate")
WEEK_BACK = 7  # "previous snapshot week": as_of 7 days earlier, or the nearest before
SEASON_BACK = 364  # "same day last season": 52 weeks earlier, same weekday
SEASON_SLACK = 7  # a last-season snapshot at most this many days off still compares


def metric_label(metric: str, lang: str = "zh") -> str:
    """The catalog's name of an indicator in the viewer's language."""
    cat = _catalog()
    if cat is not None and metric in cat.metrics:
        m = cat.metrics[metric]
        return m.name_en if lang == "en" else m.name_zh
    return metric


def _metric_def(metric: str):
    cat = _catalog()
    return cat.metrics.get(metric) if cat is not None else None


def _level(metric: str, value: float | None) -> str | None:
    """warning / critical when the value is past a configured threshold (metrics.alerts.level_of)."""
    from metrics.alerts import level_of

    mdef = _metric_def(metric)
    if mdef is None or value is None:
        return None
    hit = level_of(mdef, value)
    return hit[0] if hit else None


def status_of(metric: str, value: float | None) -> str | None:
    """What a value says against its indicator's thresholds and target: "critical" or
    "warning" past an alert threshold, else "met" (达标) or "below" (未达标) against the
    target; None without a value or a target. Below target is never shown as fine."""
    level = _level(metric, value)
    if level is not None:
        return level
    mdef = _metric_def(metric)
    target = mdef.thresholds.target if mdef is not None else None
    if value is None or target is None:
        return None
    meets = value >= target if mdef.higher_is_better else value <= target
    return "met" if meets else "below"


def _target(metric: str) -> float | None:
    mdef = _metric_def(metric)
    return mdef.thresholds.target if mdef is not None else None


def metric_target(metric: str) -> float | None:
    """The configured target of an indicator (config thresholds:), None without one."""
    return _target(metric)


def _headline_periods(as_of: str) -> dict[str, str]:
    """The period each tile family headlines at D (metrics.periods.headline_cohorts)."""
    from datetime import date

    from metrics.periods import headline_cohorts

    cohorts = headline_cohorts(date.fromisoformat(as_of))
    return {
        "employment": f"cohort:{cohorts['employment']}",
        "internship": f"cohort:{cohorts['internship']}",
        "fit": f"day:{as_of}",
        "approval_month": f"month:{as_of[:7]}",
        "approval_day": f"day:{as_of}",
    }


def _scope_dims(scope: Scope) -> dict[str, str]:
    """The dims of the scope's view: {} for the school, {"department": code} for one."""
    return {} if scope.view is None else {"department": scope.view}


@cache.memoize()
def _figures(snapshot_id: int, scope_key: str) -> dict[str, dict[str, Any]]:
    """metric -> {value, numerator, denominator, period} of the tiles at that snapshot."""
    meta = _snapshot_meta(snapshot_id)
    if meta is None:
        return {}
    scope = Scope.from_key(scope_key)
    periods = _headline_periods(meta["as_of"])
    metrics = tuple(sorted({m for _, m in TILES} | set(INTERNSHIP_PANEL)))
    wanted = {m: periods[f] for f, m in TILES} | {m: periods["internship"] for m in INTERNSHIP_PANEL}
    rows: dict[str, list[dict[str, Any]]] = {}
    for r in _values(snapshot_id, metrics):
        if r["period"] == wanted[r["metric"]] and _in_scope(r["dims"], scope):
            rows.setdefault(r["metric"], []).append(r)
    out = {}
    for metric, period in wanted.items():
        fig = _combine(metric, rows.get(metric, [])) or dict.fromkeys(("value", "numerator", "denominator"))
        out[metric] = {**fig, "period": period}
    return out


@cache.memoize()
def _comparison_ids(snapshot_id: int) -> dict[str, int | None]:
    """The snapshots a tile compares with: a week earlier and the same day last season."""
    from datetime import date, timedelta

    meta = _snapshot_meta(snapshot_id)
    if meta is None:
        return {"week": None, "season": None}
    d = date.fromisoformat(meta["as_of"])
    from cockpit.store import SUCCESS

    latest: dict[date, int] = {}
    for s in _ctx().store.list(limit=5000, status=SUCCESS):
        latest.setdefault(s.as_of, s.id)  # newest first: the latest of each as-of
    week_end = d - timedelta(days=WEEK_BACK)
    before = [a for a in latest if a <= week_end]
    week = latest[max(before)] if before else None
    season_day = d - timedelta(days=SEASON_BACK)
    near = [a for a in latest if abs((a - season_day).days) <= SEASON_SLACK]
    season = latest[min(near, key=lambda a: (abs((a - season_day).days), a))] if near else None
    return {"week": week, "season": season}


@cache.memoize()
def _tiles(snapshot_id: int, scope_key: str) -> list[dict[str, Any]]:
    now = _figures(snapshot_id, scope_key)
    if not now:
        return []
    comp = _comparison_ids(snapshot_id)
    then = {k: (_figures(sid, scope_key) if sid is not None else {}) for k, sid in comp.items()}
    as_of = {k: (_snapshot_meta(sid) or {}).get("as_of") if sid else None for k, sid in comp.items()}
    scope = Scope.from_key(scope_key)
    scoped = scope.view is not None
    tiles = []
    for family, metric in TILES:
        definition = _metric_def(metric)
        if not allows_metric(metric, scope):
            continue  # an office sees only its families
        if scoped and definition is not None and "department" not in definition.grains:
            continue  # a school-only indicator (the fit index) has no department figure
        fig = now[metric]
        value = fig["value"]
        changes = {}
        for key in ("week", "season"):
            old = then[key].get(metric, {}).get("value") if then[key] else None
            changes[key] = None if value is None or old is None else value - old
        tiles.append(
            {
                "metric": metric,
                "family": family,
                "period": fig["period"],
                "value": value,
                "numerator": fig["numerator"],
                "denominator": fig["denominator"],
                "unit": metric_unit(metric),
                "target": _target(metric),
                "level": _level(metric, value),
                "status": status_of(metric, value),
                "higher_is_better": (_metric_def(metric).higher_is_better if _metric_def(metric) else True),
                "change_week": changes["week"],
                "change_season": changes["season"],
                "week_as_of": as_of["week"],
                "season_as_of": as_of["season"],
            }
        )
    return tiles


def wall_tiles(scope: Scope) -> list[dict[str, Any]]:
    """The KPI tiles: value, target, status level, change on a week and on last season."""
    sid = current_snapshot_id()
    return [] if sid is None else _tiles(sid, scope.key)


OVERVIEW = (
    "placement_rate",
    "major_related_rate",
    "internship_rate",
    "internship_insured_rate",
    "internship_underpaid_count",
    "approval_overdue_rate",
)


def department_overview(scope: Scope) -> list[dict[str, Any]]:
    """Every academic department the scope may see, with its key figures at their headline
    periods (OVERVIEW, those of the scope's families), each with its level, the worst
    level of the row, and the department's alert count (/departments)."""
    sid = current_snapshot_id()
    return [] if sid is None else _overview(sid, scope.key)


@cache.memoize()
def _overview(snapshot_id: int, scope_key: str) -> list[dict[str, Any]]:
    scope = Scope.from_key(scope_key)
    metrics = [m for m in OVERVIEW if allows_metric(m, scope)]
    alerts = _wall_alerts(snapshot_id, scope_key)
    labels = (_snapshot_meta(snapshot_id) or {}).get("labels") or {}
    out = []
    for d in _departments(snapshot_id, scope_key):
        if not scope.visible_departments([d["code"]]):
            continue
        view = scope.narrow(d["code"])
        figs = _figures(snapshot_id, view.key)
        cells = {}
        for m in metrics:
            value = figs.get(m, {}).get("value")
            cells[m] = {"value": value, "level": status_of(m, value), "unit": metric_unit(m)}
        levels = {c["level"] for c in cells.values()}
        worst = next((lv for lv in ("critical", "warning", "below", "met") if lv in levels), None)
        n_alerts = sum(1 for a in alerts if row_department(a["dims"], labels) == d["code"])
        out.append({**d, "figures": cells, "level": worst, "alerts": n_alerts})
    return out


def screen_settings() -> dict[str, Any]:
    """The wall canvas size and poll rhythm (config screen:)."""
    s = _ctx().settings.screen
    return {
        "width": s.width,
        "height": s.height,
        "poll_seconds": s.poll_seconds,
        "reload_after_failures": s.reload_after_failures,
        "band": s.band,  # the wall layout for the canvas's shape (config screen.layout)
        # The wall clock shows the school's time (config refresh.timezone),
        # not the display computer's, so it agrees with 更新于.
        "timezone": _ctx().settings.refresh.timezone,
        "clock_at": _clock_at(),
    }


def _clock_at() -> str | None:
    """The moment a report's render shows on the wall clock: when its pinned snapshot was
    taken (ISO 8601, UTC) — a weekly report's screen never shows the hour it was made.
    None on a live screen, whose clock runs."""
    pinned = _ctx().store.pinned_id
    return None if pinned is None else (_snapshot_meta(pinned) or {}).get("finished_at")


@cache.memoize()
def _departments(snapshot_id: int, scope_key: str) -> list[dict[str, str]]:
    meta = _snapshot_meta(snapshot_id) or {}
    scope = Scope.from_key(scope_key)
    out = []
    for code, lab in (meta.get("labels") or {}).get("department", {}).items():
        if lab.get("kind", "academic") != "academic":
            continue
        if not scope.allows_department(code):
            continue
        out.append({"code": code, "name_zh": lab.get("name_zh", code), "name_en": lab.get("name_en") or code})
    return out


def academic_departments(scope: Scope) -> list[dict[str, str]]:
    """Academic departments of the current snapshot's labels, in label order, within the scope."""
    sid = current_snapshot_id()
    return [] if sid is None else _departments(sid, scope.key)


def department(code: str, scope: Scope) -> dict[str, str] | None:
    """One academic department's names, or None when the snapshot does not know it or
    the scope does not allow it (the caller cannot tell which: no probing of codes)."""
    return next((d for d in academic_departments(scope) if d["code"] == code), None)


def rotation_paths(scope: Scope) -> list[str]:
    """The screens ?rotate= cycles, in config order ("departments": each academic one)."""
    out: list[str] = []
    for item in _ctx().settings.screen.rotate:
        if item == "departments":
            out.extend(f"/department/{d['code']}" for d in academic_departments(scope))
        else:
            out.append(item)
    return out


def wall_header(scope: Scope) -> dict[str, Any] | None:
    """School name, as-of date and when the snapshot finished (local time); the same
    for every scope (nothing of a department), taken so that every caller has one."""
    sid = current_snapshot_id()
    meta = _snapshot_meta(sid) if sid is not None else None
    if meta is None:
        return None
    ctx = _ctx()
    finished = datetime.fromisoformat(meta["finished_at"]) if meta["finished_at"] else None
    if finished is not None and finished.tzinfo is None:
        finished = finished.replace(tzinfo=UTC)
    return {
        "snapshot_id": sid,
        "school": meta["school"].get("name_zh") or "",
        "as_of": meta["as_of"],
        "updated_at": finished.astimezone(ctx.settings.refresh.tz).isoformat() if finished else None,
    }


def placement_progress(scope: Scope) -> dict[str, Any] | None:
    """This season's placement rate week by week against last season on the same calendar days."""
    sid = current_snapshot_id()
    return None if sid is None else _progress(sid, scope.key)


@cache.memoize()
def _progress(snapshot_id: int, scope_key: str) -> dict[str, Any] | None:
    snap = _ctx().store.get(snapshot_id)
    data = (snap.series or {}).get("placement_progress") if snap else None
    scope = Scope.from_key(scope_key)
    dims = _scope_dims(scope)
    if not data or not allows_metric("placement_rate", scope):
        return None
    line = next((s for s in data["series"] if s["dims"] == dims), None)
    if line is None:
        return None
    return {
        "cohort": data["cohort"],
        "previous_cohort": data["previous_cohort"],
        "days": data["days"],
        "previous_days": data["previous_days"],
        "current": line["current"],
        "previous": line["previous"],
    }


@cache.memoize()
def _ranking(snapshot_id: int, scope_key: str, metric: str, grain: str) -> list[dict[str, Any]]:
    """One indicator at the family's headline period for each department or major of the scope."""
    meta = _snapshot_meta(snapshot_id)
    if meta is None:
        return []
    cat = _metric_def(metric)
    family = "internship" if cat is not None and cat.family == "internship" else "employment"
    period = _headline_periods(meta["as_of"])[family]
    scope = Scope.from_key(scope_key)
    if not allows_metric(metric, scope):
        return []
    labels = meta["labels"].get(grain, {})
    depts = set(scope.visible_departments(d["code"] for d in _departments(snapshot_id, scope_key)))
    out = []
    for r in _values(snapshot_id, (metric,)):
        if r["period"] != period or set(r["dims"]) != {grain} or r["value"] is None:
            continue
        code = r["dims"][grain]
        lab = labels.get(code, {})
        dept = code if grain == "department" else lab.get("department")
        if dept not in depts:
            continue
        out.append(
            {
                "code": code,
                "name_zh": lab.get("name_zh", code),
                "name_en": lab.get("name_en") or lab.get("name_zh", code),
                "value": r["value"],
                "numerator": r["numerator"],
                "denominator": r["denominator"],
                "level": _level(metric, r["value"]),
            }
        )
    out.sort(key=lambda x: x["value"], reverse=True)
    return out


def ranking(metric: str, grain: str, scope: Scope) -> list[dict[str, Any]]:
    """Departments (grain "department") or majors ("major") of the scope ranked by an
    employment or internship indicator of the headline cohort, best first."""
    sid = current_snapshot_id()
    return [] if sid is None else _ranking(sid, scope.key, metric, grain)


def destinations(grain: str, scope: Scope) -> dict[str, list[dict[str, Any]]]:
    """Where graduates go, by department or major: industry-fit, in-province and in-city
    employment rates of the headline employment cohort (metric -> ranking rows)."""
    return {m: ranking(m, grain, scope) for m in DESTINATIONS}


@cache.memoize()
def _deviation(snapshot_id: int) -> dict[str, Any] | None:
    meta = _snapshot_meta(snapshot_id)
    if meta is None:
        return None
    day = f"day:{meta['as_of']}"
    names = meta["labels"].get("industry", {})
    index = None
    sections = []
    for r in _values(snapshot_id, ("industry_deviation", "structure_fit_index")):
        if r["period"] != day:
            continue
        if r["metric"] == "structure_fit_index" and r["dims"] == {}:
            index = r["value"]
        elif r["metric"] == "industry_deviation" and "industry" in r["dims"]:
            code = r["dims"]["industry"]
            sections.append(
                {
                    "code": code,
                    "name_zh": names.get(code, {}).get("name_zh", code),
                    "name_en": names.get(code, {}).get("name_en") or names.get(code, {}).get("name_zh", code),
                    "deviation": r["value"],
                    "supply": r["numerator"],
                    "demand": r["denominator"],
                }
            )
    sections.sort(key=lambda s: s["deviation"])
    return {"index": index, "level": _level("structure_fit_index", index), "sections": sections}


def industry_fit(scope: Scope) -> dict[str, Any] | None:
    """The structure fit index and supply vs regional demand by industry section.
    School-wide only (metrics.md): None for a department scope."""
    sid = current_snapshot_id()
    if sid is None or scope.view is not None or not allows_metric("structure_fit_index", scope):
        return None
    return _deviation(sid)


def internship_panel(scope: Scope) -> list[dict[str, Any]]:
    """Participation, match, insurance, retention rates and the underpaid count of the
    headline internship cohort; ``gap`` marks a compliance gap (uninsured, underpaid)."""
    sid = current_snapshot_id()
    if sid is None:
        return []
    figs = _figures(sid, scope.key)
    out = []
    for metric in (*INTERNSHIP_PANEL, "internship_underpaid_count"):
        if not allows_metric(metric, scope):
            continue
        f = figs.get(metric, {})
        value = f.get("value")
        due = is_due(metric, f.get("period"), (_snapshot_meta(sid) or {}).get("as_of"))
        if not due:
            value = None  # not measurable yet for this cohort: no figure, and no "0"
        gap = value is not None and (
            (metric == "internship_insured_rate" and value < 1)
            or (metric == "internship_underpaid_count" and value > 0)
        )
        out.append(
            {
                "metric": metric,
                "period": f.get("period"),
                "value": value,
                "numerator": f.get("numerator"),
                "denominator": f.get("denominator"),
                "unit": metric_unit(metric),
                "target": _target(metric),
                "level": _level(metric, value),
                "gap": gap,
                "due": due,
            }
        )
    return out


@cache.memoize()
def _approval_weeks(snapshot_id: int, scope_key: str) -> dict[str, Any] | None:
    meta = _snapshot_meta(snapshot_id)
    scope = Scope.from_key(scope_key)
    dims = _scope_dims(scope)
    if meta is None or not allows_metric("approval_latency_p50", scope):
        return None
    by_metric: dict[str, dict[str, float | None]] = {"approval_latency_p50": {}, "approval_latency_p90": {}}
    for r in _values(snapshot_id, tuple(by_metric)):
        if r["period"].startswith("week:") and r["dims"] == dims:
            by_metric[r["metric"]][r["period"]] = r["value"]
    weeks = sorted(set(by_metric["approval_latency_p50"]) | set(by_metric["approval_latency_p90"]))
    slas = sorted(
        float(p["sla_workdays"]) for p in meta["labels"].get("process", {}).values() if p.get("sla_workdays")
    )
    sla = None
    if slas:
        mid = len(slas) // 2
        sla = slas[mid] if len(slas) % 2 else (slas[mid - 1] + slas[mid]) / 2
    return {
        "weeks": [w.removeprefix("week:") for w in weeks],
        "p50": [by_metric["approval_latency_p50"].get(w) for w in weeks],
        "p90": [by_metric["approval_latency_p90"].get(w) for w in weeks],
        "sla": sla,  # the median of the processes' sla_workdays
    }


def approval_weeks(scope: Scope) -> dict[str, Any] | None:
    """Approval latency P50/P90 by ISO week, with the SLA reference: the median of the
    processes' sla_workdays (labels["process"])."""
    sid = current_snapshot_id()
    return None if sid is None else _approval_weeks(sid, scope.key)


@cache.memoize()
def _process_rows(snapshot_id: int, metric: str, top: int) -> list[dict[str, Any]]:
    """Values by process (or process × step) at D's day or month, largest first."""
    meta = _snapshot_meta(snapshot_id)
    if meta is None:
        return []
    period = f"day:{meta['as_of']}" if metric == "approval_backlog" else f"month:{meta['as_of'][:7]}"
    procs = meta["labels"].get("process", {})
    want = {"process", "step"} if metric == "step_latency_p50" else {"process"}
    out = []
    for r in _values(snapshot_id, (metric,)):
        if r["period"] != period or set(r["dims"]) != want or r["value"] is None:
            continue
        p = r["dims"]["process"]
        out.append(
            {
                "process": p,
                "step": r["dims"].get("step"),
                "name_zh": procs.get(p, {}).get("name_zh", p),
                "name_en": procs.get(p, {}).get("name_en") or procs.get(p, {}).get("name_zh", p),
                "value": r["value"],
                "denominator": r["denominator"],
                "level": _level(metric, r["value"]),
            }
        )
    out.sort(key=lambda x: x["value"], reverse=True)
    return out[:top] if top else out


def backlog_by_process(scope: Scope) -> list[dict[str, Any]]:
    """Pending approvals at end of D by process. Processes are school-wide (no
    department × process grain), so a department scope gets []."""
    sid = current_snapshot_id()
    if sid is None or scope.view is not None or not allows_metric("approval_backlog", scope):
        return []
    return _process_rows(sid, "approval_backlog", 0)


def slowest_steps(scope: Scope, top: int = 8) -> list[dict[str, Any]]:
    """The ``top`` approval steps with the largest median working days in D's month
    (school-wide only, like backlog_by_process)."""
    sid = current_snapshot_id()
    if sid is None or scope.view is not None or not allows_metric("step_latency_p50", scope):
        return []
    return _process_rows(sid, "step_latency_p50", top)


@cache.memoize()
def _wall_alerts(snapshot_id: int, scope_key: str) -> list[dict[str, Any]]:
    meta = _snapshot_meta(snapshot_id)
    if meta is None:
        return []
    scope = Scope.from_key(scope_key)
    labels = meta["labels"]
    out = []
    for a in _ctx().store.alerts(snapshot_id):
        if not allows_metric(a.metric, scope) or not row_visible(a.dims, labels, scope):
            continue
        where_zh, where_en = [], []
        for key in ("department", "major", "process", "industry"):
            if key in a.dims:
                lab = labels.get(key, {}).get(a.dims[key], {})
                where_zh.append(lab.get("name_zh", a.dims[key]))
                where_en.append(lab.get("name_en") or lab.get("name_zh", a.dims[key]))
        if "step" in a.dims:
            where_zh.append(a.dims["step"])
            where_en.append(a.dims["step"])
        out.append(
            {
                "metric": a.metric,
                "period": a.period,
                "dims": dict(a.dims),
                "where_zh": " · ".join(where_zh),
                "where_en": " · ".join(where_en),
                "level": a.level,
                "value": a.value,
                "threshold": a.threshold,
                "unit": metric_unit(a.metric),
            }
        )
    order = {"critical": 0, "warning": 1}
    out.sort(key=lambda x: (order.get(x["level"], 2), len(x["dims"]), x["metric"]))
    return out


_GROUP_NOUN = {
    "department": ("个学院", " departments"),
    "major": ("个专业", " majors"),
    "process": ("个流程", " processes"),
    "industry": ("个行业", " industries"),
    "step": ("个环节", " steps"),
}


def ticker_items(scope: Scope) -> list[dict[str, Any]]:
    """The alert ticker: at most ``screen.ticker_max`` items, critical first; the alerts
    of one indicator at one level across several departments (or majors, processes...)
    become one item — "艺术设计学院等5个学院" — with the worst value and the count."""
    alerts = wall_alerts(scope)
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for a in alerts:  # already critical first, school-wide before departments and majors
        key = (a["level"], a["metric"], tuple(sorted(a["dims"])))
        groups.setdefault(key, []).append(a)
    items = []
    for (_lvl, metric, dims), members in groups.items():
        mdef = _metric_def(metric)
        higher = mdef.higher_is_better if mdef is not None else True
        worst = (min if higher else max)(members, key=lambda a: a["value"])
        item = {**worst, "count": len(members)}
        if len(members) > 1:
            grain = "step" if "step" in dims else (dims[0] if dims else "")
            zh, en = _GROUP_NOUN.get(grain, ("项", " items"))
            item["where_zh"] = f"{worst['where_zh']}等{len(members)}{zh}"
            item["where_en"] = f"{worst['where_en']} and {len(members) - 1} more{en}"
        items.append(item)
    order = {"critical": 0, "warning": 1}
    items.sort(key=lambda x: (order.get(x["level"], 2), len(x["dims"]) > 0, -x["count"]))
    return items[: _ctx().settings.screen.ticker_max]


def wall_alerts(scope: Scope) -> list[dict[str, Any]]:
    """Every alert (预警) of the current snapshot within the scope, critical first,
    school-wide ones before departments' and majors'."""
    sid = current_snapshot_id()
    return [] if sid is None else _wall_alerts(sid, scope.key)


# -- what pages call ------------------------------------------------------------------


def values(metric: str, scope: Scope, periods: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Values of one metric in the current snapshot that the scope may see (row_visible)."""
    sid = current_snapshot_id()
    if sid is None or not allows_metric(metric, scope):
        return []
    labels = (_snapshot_meta(sid) or {}).get("labels") or {}
    rows = _values(sid, (metric,))
    wanted = set(periods) if periods is not None else None
    out = []
    for r in rows:
        if wanted is not None and r["period"] not in wanted:
            continue
        if not row_visible(r["dims"], labels, scope):
            continue
        out.append(r)
    return out


def _local(dt: datetime | None, tz) -> str | None:
    return None if dt is None else dt.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def freshness(scope: Scope) -> dict[str, Any]:
    """数据截至 / 更新于 and whether the figures are stale: the current
    snapshot is older than two scheduled runs, or the latest refresh failed. About the
    data platform, not a department: the scope is taken so that every caller has one."""
    del scope
    ctx = _ctx()
    settings = ctx.settings
    tz = settings.refresh.tz
    store = ctx.store
    sid = store.current_id()
    snap = store.get(sid) if sid is not None else None
    pinned = store.pinned_id is not None
    # A report's render shows its week's snapshot on purpose: how old it is, or a later
    # refresh that failed, is not that week's story (the header says which snapshot).
    last = snap if pinned else next(iter(store.list(limit=1)), None)
    now = datetime.now(UTC)
    stale = snap is None and not pinned
    if not pinned and snap is not None and snap.finished_at is not None:
        from cockpit.config import parse_cron

        trig = parse_cron(settings.refresh.cron, settings.refresh.timezone)
        first = trig.get_next_fire_time(None, snap.finished_at.astimezone(tz))
        second = trig.get_next_fire_time(first, first + timedelta(seconds=1)) if first else None
        grace = timedelta(seconds=settings.refresh.misfire_grace_seconds)
        stale = second is not None and now > second + grace
    next_run = ctx.next_run_time()
    return {
        "snapshot_id": sid,
        "as_of": snap.as_of.isoformat() if snap else None,
        "updated_at": _local(snap.finished_at, tz) if snap else None,
        "status": snap.status if snap else None,
        "failed_metrics": sorted(snap.failed_metrics) if snap else [],
        "school": snap.school.get("name_zh") if snap else None,
        "stale": stale,
        "last_attempt": {
            "id": last.id,
            "status": last.status,
            "error": last.error,
            "started_at": _local(last.started_at, tz),
        }
        if last
        else None,
        "next_run": _local(next_run, tz) if next_run else None,
    }
