"""Alerts (预警): values past a configured threshold, in each indicator's current period.

Thresholds come from config (via the catalog). A value is compared with the
critical threshold first, then the warning one; "past" means below for a
higher-is-better indicator and above for a lower-is-better one (strictly).

Only the current period raises an alert — the headline cohort of the family,
D's month, D's day — so an old cohort or last March does not keep ringing
(docs/metrics-decisions.md). Weeks are covered by the month.
"""

from __future__ import annotations

from datetime import date

from metrics.catalog import Catalog, MetricDef
from metrics.periods import cohort_label, day_label, headline_cohorts, months_ending
from metrics.results import Alert, Value


def current_periods(as_of: date) -> dict[str, set[str]]:
    """Period labels that count as current, by catalog family."""
    cohorts = headline_cohorts(as_of)
    month = months_ending(as_of, 1)[0].label
    return {
        "employment": {cohort_label(cohorts["employment"])},
        "internship": {cohort_label(cohorts["internship"])},
        "fit": {day_label(as_of)},
        "approvals": {month, day_label(as_of)},
        "steps": {month},
    }


def level_of(metric: MetricDef, value: float) -> tuple[str, float] | None:
    """(level, threshold) when the value is past a threshold, else None."""
    th = metric.thresholds
    for level, limit in (("critical", th.critical), ("warning", th.warning)):
        if limit is None:
            continue
        past = value < limit if metric.higher_is_better else value > limit
        if past:
            return level, limit
    return None


def evaluate(values: list[Value], catalog: Catalog, as_of: date) -> list[Alert]:
    current = current_periods(as_of)
    alerts = []
    for v in values:
        metric = catalog.metrics.get(v.metric)
        if metric is None or v.value is None or v.period not in current[metric.family]:
            continue
        hit = level_of(metric, v.value)
        if hit:
            alerts.append(Alert(v.metric, v.period, v.dims, hit[0], v.value, hit[1]))
    order = {"critical": 0, "warning": 1}
    alerts.sort(key=lambda a: (order[a.level], a.metric, a.period, sorted(a.dims.items())))
    return alerts
