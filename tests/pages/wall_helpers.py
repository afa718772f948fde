"""What the wall tests compare screens with: figures read straight from the store."""

from __future__ import annotations

from cockpit.i18n import fmt_value
from metrics.periods import headline_cohorts

# tile metric -> (unit, which headline period)
TILE_PERIODS = {
    "placement_rate": ("ratio", "employment"),
    "avg_monthly_salary": ("yuan", "employment"),
    "internship_rate": ("ratio", "internship"),
    "internship_insured_rate": ("ratio", "internship"),
    "approval_overdue_rate": ("ratio", "month"),
    "approval_backlog": ("count", "day"),
}


def expected_tile_text(demo_store, metric: str, dims: dict) -> str:
    """The tile's figure as the screen must show it, from the current snapshot's stored value."""
    unit, kind = TILE_PERIODS[metric]
    as_of = demo_store.today
    cohorts = headline_cohorts(as_of)
    period = {
        "employment": f"cohort:{cohorts['employment']}",
        "internship": f"cohort:{cohorts['internship']}",
        "month": f"month:{as_of:%Y-%m}",
        "day": f"day:{as_of.isoformat()}",
    }[kind]
    values = [
        v
        for v in demo_store.store.values(demo_store.snapshot_id, metric=metric, periods=[period])
        if v.dims == dims
    ]
    assert len(values) <= 1, f"{metric} {period} {dims}: {values}"
    return fmt_value(values[0].value, unit) if values else "—"  # not emitted: the screen says so


def tile_text(browser, metric: str) -> str:
    return browser.find(f"[data-metric='{metric}']").text.replace("\n", "")


def academic_departments(demo_store) -> list[str]:
    labels = demo_store.store.get(demo_store.snapshot_id).labels["department"]
    return [code for code, lab in labels.items() if lab.get("kind") == "academic"]
