"""What one computation of the indicators produces, independent of storage."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date


def dims_key(dims: dict[str, str]) -> str:
    """Canonical text of a dimension dict: the same dims always give the same key."""
    return json.dumps(dims, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Value:
    """One value of an indicator, identified by (metric, period, dims).

    period is ``cohort:YYYY``, ``month:YYYY-MM``, ``week:YYYY-Www`` or
    ``day:YYYY-MM-DD``; dims holds codes as strings ({} for the school).
    """

    metric: str
    period: str
    dims: dict[str, str]
    value: float | None
    numerator: float | None
    denominator: float | None

    def as_json(self) -> dict:
        return {
            "metric": self.metric,
            "period": self.period,
            "dims": self.dims,
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
        }


@dataclass(frozen=True)
class QualityCount:
    """Rows one data-quality rule caught in one table, with a few example keys."""

    rule: str
    table: str
    rows: int
    examples: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Alert:
    """A value past a threshold (预警)."""

    metric: str
    period: str
    dims: dict[str, str]
    level: str  # "warning" or "critical"
    value: float
    threshold: float


@dataclass
class RefreshResult:
    """Everything one refresh computed for one as-of date."""

    as_of: date
    values: list[Value] = field(default_factory=list)
    quality: list[QualityCount] = field(default_factory=list)
    source_counts: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)  # metric id -> error
    alerts: list[Alert] = field(default_factory=list)
    school: dict[str, str] = field(default_factory=dict)  # school_code, name_zh, region_code
    # Names of the codes the values use, so screens never read the source:
    # {"department": {code: {"name_zh", "name_en", "kind"}}, "major": {code:
    # {"name_zh", "department", "catalog_code"}}, "process": {...}, "industry": {...}}
    labels: dict[str, dict[str, dict]] = field(default_factory=dict)
    # The approval instances pending at end of D (drill-down; at most
    # PENDING_PER_GROUP per process, waiting step and department, oldest first):
    # instance_id, process, department, submitted_at, step, step_no,
    # age_workdays, step_age_workdays, sla_workdays, over_sla. No personal data.
    pending: list[dict] = field(default_factory=list)
    # Series for charts and lists that are not indicator values: placement
    # progress of this season against last season (metrics/families/progress.py),
    # "approval_steps" (workflow order of each process's steps, pending counts per
    # process, step and department) and "internship_hosts" (per host enterprise and
    # department, the current internship cohort's figures).
    series: dict[str, dict] = field(default_factory=dict)
    # Extract mode: what was copied from the source per table,
    # {"rows", "bytes" (as Arrow columns), "seconds"}; empty in pushdown mode.
    extract: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def partial(self) -> bool:
        return bool(self.failed)
