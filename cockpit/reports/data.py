"""A report's content from the snapshot of the week's end.

Runs inside the app context of a bare Flask app whose store is pinned to that
snapshot (``job.service_context``, no Dash), so the wall's own service functions
(``cockpit.service``: tiles with target, status and changes, rankings,
progress, fit, internship, approvals, alerts) answer for that week, and the
charts come from the screens' figure builders (``cockpit.figures``,
``theme="print"``). Nothing here renders; ``render`` and ``job`` do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import plotly.graph_objects as go
from flask import current_app

from cockpit import figures, service
from cockpit.i18n import desk_period, fmt_change, fmt_date, fmt_value, t
from cockpit.reports import narrative

# A4 portrait, 12 mm margins: about 700 CSS px of width for content.
FULL = 700
HALF = 342

# Chinese names of the data-quality rules (metrics/quality.py).
QUALITY_RULES = {
    "row_not_null": "必填字段为空",
    "row_orphan": "引用的上级记录不存在",
    "row_duplicate": "主键重复",
    "row_enum": "取值不在代码表内",
    "row_date_order": "日期先后矛盾",
    "ref_unknown": "引用代码未知",
    "score_range": "评价分超出0–100",
    "money_range": "金额为负或为零",
    "logs_range": "周志数不合理",
    "destination_missing": "毕业生缺少去向记录",
}
STATUS_ZH = {"critical": "严重", "warning": "预警", "met": "达标", "below": "未达标", None: "—"}


@dataclass
class Chart:
    """One chart of a report: a figure builder's output at a print size; ``svg`` is filled by the renderer."""

    key: str
    title: str
    fig: go.Figure
    width: int = HALF
    height: int = 250
    svg: str = ""
    note: str = ""


@dataclass
class Section:
    """What one scope (the school or a department) shows: headline, narrative, charts."""

    code: str  # "" for the school
    name: str
    headline: list[dict[str, Any]]
    narrative: list[str]
    charts: list[Chart]
    alerts: list[dict[str, Any]] = field(default_factory=list)
    table: list[dict[str, Any]] = field(default_factory=list)  # majors (department) or departments (school)


@dataclass
class Report:
    kind: str  # school | department
    department: dict[str, str] | None
    week: str  # 2026-W46
    week_start: date
    week_end: date
    snapshot_id: int
    as_of: str
    finished_at: str  # local time text
    school: str
    previous_as_of: str | None
    season_as_of: str | None
    main: Section
    departments: list[Section]  # one per department (school report only)
    quality: list[dict[str, Any]]
    quality_note: str
    definitions: list[dict[str, Any]]
    failed_metrics: dict[str, str]
    generated_at: str
    # A week not over yet (the report is made from the latest snapshot of the week,
    # not from its Sunday's): the cover and the title say so.
    partial: bool = False

    @property
    def as_of_weekday(self) -> str:
        """The true weekday of the as-of date: "周五" (never a hard-coded Sunday)."""
        return weekday_zh(self.as_of)

    @property
    def alert_groups(self) -> list[dict[str, Any]]:
        return group_alerts(self.main.alerts)

    @property
    def title(self) -> str:
        who = self.department["name_zh"] if self.department else self.school
        return f"{who} 周报 {self.week}" + ("（本周未完）" if self.partial else "")

    def charts(self) -> list[Chart]:
        out = list(self.main.charts)
        for s in self.departments:
            out.extend(s.charts)
        return out


def _status(tile: dict[str, Any]) -> str | None:
    if tile["value"] is None:
        return None
    if tile["level"]:
        return tile["level"]
    target = tile["target"]
    if target is None:
        return None
    good = tile["value"] >= target if tile["higher_is_better"] else tile["value"] <= target
    return "met" if good else "below"


def headline(scope: service.Scope) -> list[dict[str, Any]]:
    """The tiles of the wall (service.wall_tiles) as table rows with their texts."""
    rows = []
    for tile in service.wall_tiles(scope):
        unit = tile["unit"]
        status = _status(tile)
        rows.append(
            {
                **tile,
                "name": service.metric_label(tile["metric"], "zh"),
                "period_text": desk_period(tile["period"], "zh"),
                "value_text": fmt_value(tile["value"], unit, "zh"),
                "target_text": fmt_value(tile["target"], unit, "zh") if tile["target"] is not None else "—",
                "status": status,
                "status_text": STATUS_ZH[status] if status else "—",
                "week_text": fmt_change(tile["change_week"], unit, "zh"),
                "season_text": fmt_change(tile["change_season"], unit, "zh"),
                "week_class": _change_class(tile["change_week"], tile["higher_is_better"]),
                "season_class": _change_class(tile["change_season"], tile["higher_is_better"]),
            }
        )
    return rows


def _change_class(delta: float | None, higher_is_better: bool) -> str:
    if delta is None or abs(delta) < 1e-12:
        return ""
    return "better" if (delta > 0) == higher_is_better else "worse"


def alerts(scope: service.Scope) -> list[dict[str, Any]]:
    out = []
    for a in service.wall_alerts(scope):
        out.append(
            {
                **a,
                "name": service.metric_label(a["metric"], "zh"),
                "level_text": t(f"level_{a['level']}", "zh"),
                "where": a["where_zh"] or "全校",
                "period_text": desk_period(a["period"], "zh"),
                "value_text": fmt_value(a["value"], a["unit"], "zh"),
                "threshold_text": fmt_value(a["threshold"], a["unit"], "zh"),
            }
        )
    return out


ALERT_GROUPS = 8  # indicators listed in the report's alert summary
ALERT_TOP = 3  # worst places named per indicator


def group_alerts(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The alerts condensed for the report body: one row per indicator (critical
    count, warning count, the ALERT_TOP worst places with their values), the
    indicators with most critical alerts first, at most ALERT_GROUPS rows; the
    full list stays for the appendix. ``items`` come critical first (wall_alerts)."""
    groups: dict[str, dict[str, Any]] = {}
    for a in items:
        g = groups.setdefault(
            a["metric"], {"metric": a["metric"], "name": a["name"], "critical": 0, "warning": 0, "top": []}
        )
        g[a["level"] if a["level"] in ("critical", "warning") else "warning"] += 1
        if len(g["top"]) < ALERT_TOP:
            g["top"].append(f"{a['where']} {a['value_text']}")
    ordered = sorted(
        groups.values(), key=lambda g: (-g["critical"], -(g["critical"] + g["warning"]), g["name"])
    )
    for g in ordered:
        g["total"] = g["critical"] + g["warning"]
        g["more"] = g["total"] - len(g["top"])
    return ordered[:ALERT_GROUPS]


WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def weekday_zh(d: date | str) -> str:
    day = d if isinstance(d, date) else date.fromisoformat(str(d)[:10])
    return WEEKDAYS_ZH[day.weekday()]


def _internship_items(scope: service.Scope) -> list[dict[str, Any]]:
    return [{**i, "name": service.metric_label(i["metric"], "zh")} for i in service.internship_panel(scope)]


def _rank_rows(metric: str, grain: str, scope: service.Scope) -> list[dict[str, Any]]:
    return service.ranking(metric, grain, scope)


def school_charts() -> list[Chart]:
    """The school screen's charts (pages/_wall.py SCHOOL_PANELS), print theme."""
    scope = service.Scope.whole_school()
    target = service.metric_target("placement_rate")
    ranking = _rank_rows("placement_rate", "department", scope)
    dest = service.destinations("department", scope)
    n = max(len(ranking), 1)
    return [
        Chart(
            "progress",
            t("panel_progress", "zh"),
            figures.progress_figure(service.placement_progress(scope), "zh", "print"),
            FULL,
            260,
        ),
        Chart(
            "ranking",
            t("panel_ranking", "zh"),
            figures.ranking_figure(ranking, "ratio", target, "zh", "print"),
            HALF,
            max(240, 26 * n + 40),
        ),
        Chart(
            "destinations",
            t("panel_destinations", "zh"),
            figures.destinations_figure(dest, "zh", "print"),
            HALF,
            max(240, 26 * n + 40),
        ),
        Chart(
            "fit",
            t("panel_fit", "zh") + " · " + t("supply_demand", "zh"),
            figures.deviation_figure(service.industry_fit(scope), "zh", "print"),
            HALF,
            260,
        ),
        Chart(
            "internship",
            t("panel_internship", "zh"),
            figures.internship_figure(_internship_items(scope), "zh", "print"),
            HALF,
            260,
        ),
        Chart(
            "latency",
            t("panel_latency", "zh"),
            figures.latency_figure(service.approval_weeks(scope), "zh", "print"),
            FULL,
            240,
        ),
        Chart(
            "backlog",
            t("panel_backlog", "zh"),
            figures.process_bars_figure(service.backlog_by_process(scope), "count", "zh", "print"),
            HALF,
            260,
        ),
        Chart(
            "steps",
            t("panel_steps", "zh"),
            figures.process_bars_figure(service.slowest_steps(scope), "workdays", "zh", "print"),
            HALF,
            260,
        ),
    ]


def department_charts(code: str, compact: bool = False, cache: dict | None = None) -> list[Chart]:
    """A department screen's charts (pages/_wall.py DEPARTMENT_PANELS), print theme, its scope only.
    ``compact``: the two the school report shows in the department's section. ``cache``
    (code -> charts) shares the charts between the school's and the department's report."""
    if cache is not None:
        if code not in cache:
            cache[code] = department_charts(code)
        full = cache[code]
        return [full[1], full[3]] if compact else full
    scope = service.Scope.department_only(code)
    target = service.metric_target("placement_rate")
    majors = _rank_rows("placement_rate", "major", scope)
    n = max(len(majors), 1)
    tall = max(200, 24 * n + 40)
    ranking = Chart(
        f"majors-{code}",
        t("panel_majors", "zh"),
        figures.ranking_figure(majors, "ratio", target, "zh", "print"),
        HALF,
        tall,
    )
    internship = Chart(
        f"internship-{code}",
        t("panel_internship", "zh"),
        figures.internship_figure(_internship_items(scope), "zh", "print"),
        HALF,
        240,
    )
    if compact:
        return [ranking, internship]
    return [
        Chart(
            f"progress-{code}",
            t("panel_progress", "zh"),
            figures.progress_figure(service.placement_progress(scope), "zh", "print"),
            FULL,
            250,
        ),
        ranking,
        Chart(
            f"destinations-{code}",
            t("panel_destinations", "zh"),
            figures.destinations_figure(service.destinations("major", scope), "zh", "print"),
            HALF,
            tall,
        ),
        internship,
        Chart(
            f"insured-{code}",
            t("panel_dept_internship", "zh"),
            figures.ranking_figure(
                _rank_rows("internship_insured_rate", "major", scope), "ratio", 1.0, "zh", "print"
            ),
            HALF,
            240,
        ),
        Chart(
            f"latency-{code}",
            t("panel_latency", "zh"),
            figures.latency_figure(service.approval_weeks(scope), "zh", "print"),
            FULL,
            230,
        ),
    ]


def unit_table(grain: str, scope: service.Scope) -> list[dict[str, Any]]:
    """Departments (grain "department") or majors of the scope with their employment and
    internship rates at the headline cohorts — the long table of a report."""
    metrics = (
        "placement_rate",
        "major_related_rate",
        "industry_fit_rate",
        "internship_rate",
        "internship_insured_rate",
    )
    by: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for m in metrics:
        for r in service.ranking(m, grain, scope):
            if r["code"] not in by:
                by[r["code"]] = {"code": r["code"], "name": r["name_zh"]}
                order.append(r["code"])
            by[r["code"]][m] = fmt_value(r["value"], "ratio", "zh")
            by[r["code"]][m + "_level"] = r["level"] or ""
            if m == "placement_rate":
                by[r["code"]]["n"] = fmt_value(r["denominator"], "count", "zh")
    rows = [by[c] for c in order]
    for r in rows:
        for m in metrics:
            r.setdefault(m, "—")
            r.setdefault(m + "_level", "")
        r.setdefault("n", "—")
    return rows


def section(code: str, name: str, compact: bool = False, cache: dict | None = None) -> Section:
    scope = service.Scope.department_only(code) if code else service.Scope.whole_school()
    head = headline(scope)
    al = alerts(scope)
    grain = "major" if code else "department"
    table = unit_table(grain, scope)
    ranking = service.ranking("placement_rate", grain, scope)
    text = narrative.write(
        head,
        ranking=ranking,
        grain=grain,
        alerts=al,
        internship=service.internship_panel(scope),
        backlog=service.backlog_by_process(scope) if not code else [],
        steps=service.slowest_steps(scope) if not code else [],
        fit=service.industry_fit(scope) if not code else None,
        scope_name=name,
    )
    charts = department_charts(code, compact, cache) if code else school_charts()
    return Section(code=code, name=name, headline=head, narrative=text, charts=charts, alerts=al, table=table)


def quality(snapshot_id: int) -> tuple[list[dict[str, Any]], str]:
    store = current_app.extensions["cockpit"].store
    rows = [
        {
            "rule": q.rule,
            "rule_text": QUALITY_RULES.get(q.rule, q.rule),
            "table": q.table,
            "rows": q.rows,
            "examples": "、".join(str(e) for e in list(q.examples)[:3]),
        }
        for q in store.quality(snapshot_id)
        if q.rows
    ]
    snap = store.get(snapshot_id)
    total_src = sum((snap.source_counts or {}).values()) if snap else 0
    flagged = sum(r["rows"] for r in rows)
    if rows:
        note = (
            f"本期快照读取数据中台{len(snap.source_counts or {})}张表、共{total_src:,}行；"
            f"数据质量规则共标记{flagged:,}行（{len(rows)}项规则/表），"
            "被标记的行不参与计算，明细见下表。"
        )
    else:
        tables = len(snap.source_counts or {}) if snap else 0
        note = f"本期快照读取数据中台{tables}张表、共{total_src:,}行，未发现数据质量问题。"
    if snap and snap.failed_metrics:
        note += (
            "未能计算的指标："
            + "、".join(service.metric_label(m, "zh") for m in sorted(snap.failed_metrics))
            + "。"
        )
    return rows, note


def definitions(metric_ids: list[str]) -> list[dict[str, Any]]:
    cat = current_app.extensions["cockpit"].catalog
    out = []
    for m in metric_ids:
        d = cat.metrics.get(m) if cat is not None else None
        if d is None:
            continue
        th = d.thresholds
        parts = []
        for label, v in (("目标", th.target), ("预警", th.warning), ("严重", th.critical)):
            if v is not None:
                parts.append(f"{label} {fmt_value(v, d.unit, 'zh')}")
        out.append(
            {
                "metric": m,
                "name": d.name_zh,
                "definition": d.definition_zh,
                "formula": d.formula,
                "direction": "越高越好" if d.higher_is_better else "越低越好",
                "thresholds": "，".join(parts) or "未设",
                "owner": d.owner,
            }
        )
    return out


def build(
    week: str,
    week_start: date,
    week_end: date,
    department: str | None,
    cache: dict | None = None,
    *,
    partial: bool = False,
) -> Report:
    """The report of the pinned snapshot for the school (department None) or one department.
    ``cache``: a dict shared by the reports of one batch (the departments' charts)."""
    ctx = current_app.extensions["cockpit"]
    # The batch is a trusted server-side job: it reads the whole school, and each
    # department's report narrows to that department (its recipients get only it).
    school = service.Scope.whole_school()
    head = service.wall_header(school)
    if head is None:
        raise LookupError("no snapshot")
    sid = head["snapshot_id"]
    snap = ctx.store.get(sid)
    tz = ctx.settings.refresh.tz
    finished = snap.finished_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if snap.finished_at else "—"
    depts = service.academic_departments(school)
    if department:
        dep = next((d for d in depts if d["code"] == department), None)
        if dep is None:
            raise KeyError(department)
        main = section(department, dep["name_zh"], cache=cache)
        sections: list[Section] = []
    else:
        dep = None
        main = section("", head["school"])
        sections = [section(d["code"], d["name_zh"], compact=True, cache=cache) for d in depts]
    tiles = main.headline
    q_rows, q_note = quality(sid)
    metric_ids = [r["metric"] for r in tiles] + [
        m for m in ("industry_fit_rate", *service.INTERNSHIP_PANEL) if m not in {r["metric"] for r in tiles}
    ]
    return Report(
        kind="department" if department else "school",
        department=dep,
        week=week,
        week_start=week_start,
        week_end=week_end,
        snapshot_id=sid,
        as_of=head["as_of"],
        finished_at=finished,
        school=head["school"],
        previous_as_of=next((r["week_as_of"] for r in tiles if r.get("week_as_of")), None),
        season_as_of=next((r["season_as_of"] for r in tiles if r.get("season_as_of")), None),
        main=main,
        departments=sections,
        quality=q_rows,
        quality_note=q_note,
        definitions=definitions(metric_ids),
        failed_metrics=dict(snap.failed_metrics or {}),
        generated_at=datetime.now(tz).strftime("%Y-%m-%d %H:%M"),
        partial=partial,
    )


def date_text(d: date | str | None) -> str:
    if d is None:
        return "—"
    return fmt_date(d if isinstance(d, str) else d.isoformat(), "zh")
