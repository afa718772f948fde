"""The service layer the pages call: plain data from the current snapshot.

Pages never touch SQL or the store. Every function takes the viewer's scope
(the whole school, or a set of departments) and returns dicts, lists and
numbers. Reads are memoized with flask-caching keyed by the snapshot id: a
request first looks up the current snapshot id (one indexed query), and
everything read from that snapshot is cached until the id changes.

Must be called inside the Flask app built by ``cockpit.app.create_app``
(request or app context).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app

from cockpit.extensions import cache

# What the home page shows, in order.
EMPLOYMENT = (
    "placement_rate",
    "major_related_rate",
    "industry_fit_rate",
    "province_employment_rate",
    "city_employment_rate",
    "avg_monthly_salary",
)
INTERNSHIP = (
    "internship_rate",
    "internship_match_rate",
    "internship_insured_rate",
    "internship_retention_rate",
    "internship_avg_score",
    "internship_log_rate",
    "internship_underpaid_count",
    "partner_enterprises_active",
)
FIT = ("structure_fit_index", "partner_enterprise_count")
APPROVAL_MONTH = ("approval_volume", "approval_latency_p50", "approval_latency_p90", "approval_overdue_rate")
APPROVAL_DAY = ("approval_backlog", "approval_oldest_pending_days")

# Values that combine across departments by summing numerators and
# denominators (rates, means) or values (counts); percentiles and maxima do not.
_NOT_ADDITIVE = {"approval_latency_p50", "approval_latency_p90", "step_latency_p50", "structure_fit_index"}
_MAX = {"approval_oldest_pending_days"}
_COUNTS = {"approval_volume", "approval_backlog", "internship_underpaid_count", "partner_enterprise_count"}
_DISTINCT = {"partner_enterprises_active"}  # distinct enterprises: not additive either


@dataclass(frozen=True)
class Scope:
    """Whose figures a viewer sees: the whole school (departments None) or some departments."""

    departments: frozenset[str] | None = None

    @classmethod
    def of(cls, departments: Iterable[str] | None) -> Scope:
        return cls(None if departments is None else frozenset(str(d) for d in departments))

    @property
    def key(self) -> str:
        if self.departments is None:
            return "all"
        return "dept:" + ",".join(sorted(self.departments))

    @classmethod
    def from_key(cls, key: str) -> Scope:
        if key == "all":
            return cls()
        codes = key.removeprefix("dept:")
        return cls(frozenset(c for c in codes.split(",") if c))


SCHOOL = Scope()


def _ctx():
    return current_app.extensions["cockpit"]


def current_snapshot_id() -> int | None:
    """The id of the current snapshot (uncached: one indexed query)."""
    return _ctx().store.current_id()


def _catalog():
    return _ctx().catalog


def metric_name(metric: str) -> str:
    cat = _catalog()
    if cat is not None and metric in cat.metrics:
        return cat.metrics[metric].name_zh
    return metric


def metric_unit(metric: str) -> str:
    cat = _catalog()
    if cat is not None and metric in cat.metrics:
        return cat.metrics[metric].unit
    return "ratio" if metric.endswith("_rate") else "count"


def format_value(value: float | None, unit: str) -> str:
    """A value as the screens show it (zh-CN)."""
    if value is None:
        return "—"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    if unit == "yuan":
        return f"{value:,.0f} 元"
    if unit == "workdays":
        return f"{value:.1f} 个工作日"
    if unit == "score":
        return f"{value:.1f} 分"
    if unit == "index":
        return f"{value:.3f}"
    return f"{value:,.0f}"


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


@cache.memoize()
def _alerts(snapshot_id: int) -> dict[str, str]:
    """(metric|period|dims key) -> level."""
    from metrics.results import dims_key

    return {f"{a.metric}|{a.period}|{dims_key(a.dims)}": a.level for a in _ctx().store.alerts(snapshot_id)}


def _in_scope(dims: dict[str, str], scope: Scope) -> bool:
    if scope.departments is None:
        return dims == {}
    return set(dims) == {"department"} and dims["department"] in scope.departments


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


def _latest_period(
    rows: list[dict[str, Any]], metric: str, prefix: str, need_numerator: bool = False
) -> str | None:
    periods = sorted(
        {
            r["period"]
            for r in rows
            if r["metric"] == metric
            and r["period"].startswith(prefix)
            and r["dims"] == {}
            and (not need_numerator or (r["numerator"] or 0) > 0)
        }
    )
    return periods[-1] if periods else None


@cache.memoize()
def _headline(snapshot_id: int, scope_key: str) -> dict[str, Any] | None:
    meta = _snapshot_meta(snapshot_id)
    if meta is None:
        return None
    scope = Scope.from_key(scope_key)
    wanted = EMPLOYMENT + INTERNSHIP + FIT + APPROVAL_MONTH + APPROVAL_DAY
    rows = _values(snapshot_id, wanted)
    alerts = _alerts(snapshot_id)
    as_of = meta["as_of"]
    # The employment campaign for cohort Y runs through calendar year Y: show the
    # latest cohort graduating this year or before (in November the next
    # cohort's roster exists already, with almost nobody placed yet).
    emp_cohort = _latest_period(
        [r for r in rows if r["period"] <= f"cohort:{as_of[:4]}"], "placement_rate", "cohort:"
    ) or _latest_period(rows, "placement_rate", "cohort:")
    int_cohort = _latest_period(rows, "internship_rate", "cohort:", need_numerator=True) or _latest_period(
        rows, "internship_rate", "cohort:"
    )
    month = f"month:{as_of[:7]}"
    day = f"day:{as_of}"

    by_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        if _in_scope(r["dims"], scope):
            by_key.setdefault((r["metric"], r["period"]), []).append(r)

    def item(metric: str, period: str | None) -> dict[str, Any]:
        fig = _combine(metric, by_key.get((metric, period), [])) if period else None
        unit = metric_unit(metric)
        level = None
        if fig is not None and scope.departments is None:
            level = alerts.get(f"{metric}|{period}|{{}}")
        value = fig["value"] if fig else None
        return {
            "metric": metric,
            "name": metric_name(metric),
            "period": period,
            "value": value,
            "numerator": fig["numerator"] if fig else None,
            "denominator": fig["denominator"] if fig else None,
            "unit": unit,
            "display": format_value(value, unit),
            "level": level,
        }

    def cohort_label(p: str | None) -> str:
        return f"{p.split(':', 1)[1]}届" if p else "暂无届别"

    sections = [
        {
            "key": "employment",
            "title": f"毕业去向（{cohort_label(emp_cohort)}）",
            "items": [item(m, emp_cohort) for m in EMPLOYMENT],
        },
        {
            "key": "internship",
            "title": f"岗位实习（{cohort_label(int_cohort)}）",
            "items": [item(m, int_cohort) for m in INTERNSHIP],
        },
        {"key": "fit", "title": "专业与产业匹配", "items": [item(m, day) for m in FIT]},
        {
            "key": "approval",
            "title": f"审批效能（{as_of[:4]}年{int(as_of[5:7])}月）",
            "items": [item(m, month) for m in APPROVAL_MONTH] + [item(m, day) for m in APPROVAL_DAY],
        },
    ]
    return {"snapshot": meta, "scope": scope_key, "sections": sections}


# -- what pages call ------------------------------------------------------------------


def headline(scope: Scope = SCHOOL) -> dict[str, Any] | None:
    """The home page figures of the current snapshot for the scope, or None
    when no snapshot exists yet."""
    sid = current_snapshot_id()
    return None if sid is None else _headline(sid, scope.key)


def values(metric: str, scope: Scope = SCHOOL, periods: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Values of one metric in the current snapshot, limited to the scope's
    departments when the scope is not the whole school."""
    sid = current_snapshot_id()
    if sid is None:
        return []
    rows = _values(sid, (metric,))
    wanted = set(periods) if periods is not None else None
    out = []
    for r in rows:
        if wanted is not None and r["period"] not in wanted:
            continue
        dept = r["dims"].get("department")
        if scope.departments is not None and dept is not None and dept not in scope.departments:
            continue
        out.append(r)
    return out


def _local(dt: datetime | None, tz) -> str | None:
    return None if dt is None else dt.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def freshness() -> dict[str, Any]:
    """数据截至 / 更新于 and whether the figures are stale: the current
    snapshot is older than two scheduled runs, or the latest refresh failed."""
    ctx = _ctx()
    settings = ctx.settings
    tz = settings.refresh.tz
    store = ctx.store
    sid = store.current_id()
    snap = store.get(sid) if sid is not None else None
    latest = store.list(limit=1)
    last = latest[0] if latest else None
    now = datetime.now(UTC)
    stale = snap is None
    if snap is not None and snap.finished_at is not None:
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
