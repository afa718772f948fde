"""首页: the current snapshot's headline figures for the whole school.

A plain page until the screens land: employment and internship figures of the
latest cohort, the major–industry fit, this month's approvals, with 数据截至 /
更新于 and a warning when the figures are stale. Reads only cockpit.service.
"""

import dash
from dash import html

from cockpit import service

dash.register_page(__name__, path="/", name="首页", title="领导驾驶舱 · 首页", order=0)

_LEVEL_TEXT = {"warning": "预警", "critical": "严重预警"}


def _freshness(f: dict) -> html.Div:
    parts = [
        html.Span(f"数据截至 {f['as_of']}", className="as-of"),
        html.Span(f"更新于 {f['updated_at']}", className="updated-at"),
    ]
    if f.get("next_run"):
        parts.append(html.Span(f"下次刷新 {f['next_run']}", className="next-run"))
    children = [html.Div(parts, className="freshness-line")]
    if f["stale"]:
        children.append(
            html.Div(
                "数据可能已过时：最近一次成功刷新早于计划的两次刷新时间，请检查刷新任务和数据源。",
                className="notice stale",
                role="alert",
            )
        )
    last = f.get("last_attempt")
    if last and last["status"] == "failed" and last["id"] != f["snapshot_id"]:
        children.append(
            html.Div(
                f"最近一次刷新（{last['started_at']}）失败：{last['error']}。当前显示上一次成功的数据。",
                className="notice failed",
                role="alert",
            )
        )
    if f["failed_metrics"]:
        children.append(
            html.Div(
                "部分指标本次未能计算：" + "、".join(service.metric_name(m) for m in f["failed_metrics"]),
                className="notice partial",
            )
        )
    return html.Div(children, className="freshness")


def _card(item: dict) -> html.Div:
    classes = "card" + (f" level-{item['level']}" if item["level"] else "")
    children = [
        html.Div(item["name"], className="card-name"),
        html.Div(item["display"], className="card-value", **{"data-metric": item["metric"]}),
    ]
    if item["level"]:
        children.append(html.Div(_LEVEL_TEXT.get(item["level"], item["level"]), className="card-level"))
    if item["denominator"] is not None and item["unit"] in ("ratio",):
        children.append(
            html.Div(f"{item['numerator']:,.0f} / {item['denominator']:,.0f}", className="card-ratio")
        )
    return html.Div(children, className=classes)


def layout(**_query):
    data = service.headline(service.SCHOOL)
    if data is None:
        return html.Div(
            [
                html.H1("领导驾驶舱"),
                html.P(
                    "还没有可用的指标快照。请先运行 `python -m cockpit refresh`（演示数据：`make run`）。",
                    className="notice stale",
                ),
            ],
            className="home",
        )
    fresh = service.freshness()
    school = fresh.get("school") or data["snapshot"]["school"].get("name_zh") or ""
    return html.Div(
        [
            html.H1(f"{school} 领导驾驶舱" if school else "领导驾驶舱"),
            _freshness(fresh),
            *[
                html.Section(
                    [html.H2(sec["title"]), html.Div([_card(i) for i in sec["items"]], className="cards")],
                    className=f"section section-{sec['key']}",
                )
                for sec in data["sections"]
            ],
        ],
        className="home",
    )
