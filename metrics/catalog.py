"""The indicator catalog: one declarative record per indicator, validated on load.

The records live in metrics/catalog.yaml (like dbt MetricFlow's metric YAML);
targets and thresholds come from config and are checked against the catalog
here, so a typo in either fails loudly at start-up instead of silently
dropping an alert.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import yaml

CATALOG_FILE = Path(__file__).with_name("catalog.yaml")

FAMILIES = ("employment", "internship", "fit", "approvals", "steps")
UNITS = ("ratio", "yuan", "workdays", "count", "index", "score")
DIRECTIONS = ("higher", "lower")
GRAINS = ("school", "department", "major", "process", "step", "industry")
PERIODS = ("cohort", "month", "week", "day")
THRESHOLD_KEYS = ("target", "warning", "critical")


class CatalogError(ValueError):
    """The catalog or the thresholds config is invalid; the message says where."""


@dataclass(frozen=True)
class Thresholds:
    target: float | None = None
    warning: float | None = None
    critical: float | None = None


@dataclass(frozen=True)
class MetricDef:
    id: str
    family: str
    name_zh: str
    name_en: str
    definition_zh: str
    definition_en: str
    formula: str
    formula_en: str
    unit: str
    direction: str
    grains: tuple[str, ...]
    periods: tuple[str, ...]
    owner: str
    owner_en: str
    sources: tuple[str, ...]
    thresholds: Thresholds = Thresholds()

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher"


@dataclass(frozen=True)
class Catalog:
    metrics: dict[str, MetricDef]

    def by_family(self, family: str) -> list[MetricDef]:
        return [m for m in self.metrics.values() if m.family == family]

    def __getitem__(self, metric_id: str) -> MetricDef:
        return self.metrics[metric_id]

    def __iter__(self):
        return iter(self.metrics.values())


def _check_choice(where: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise CatalogError(f"{where}: {value!r} is not one of {', '.join(allowed)}")


def _parse_record(raw: dict, index: int) -> MetricDef:
    where = f"catalog record {index + 1} ({raw.get('id', '?')})"
    names = {f.name for f in fields(MetricDef)} - {"thresholds"}
    unknown = set(raw) - names
    missing = names - set(raw)
    if unknown:
        raise CatalogError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    if missing:
        raise CatalogError(f"{where}: missing field(s) {', '.join(sorted(missing))}")
    _check_choice(f"{where} family", raw["family"], FAMILIES)
    _check_choice(f"{where} unit", raw["unit"], UNITS)
    _check_choice(f"{where} direction", raw["direction"], DIRECTIONS)
    for grain in raw["grains"]:
        _check_choice(f"{where} grain", grain, GRAINS)
    for period in raw["periods"]:
        _check_choice(f"{where} period", period, PERIODS)
    texts = ("id", "name_zh", "name_en", "definition_zh", "definition_en", "formula", "formula_en")
    for key in (*texts, "owner", "owner_en"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise CatalogError(f"{where}: {key} must be a non-empty text")
    return MetricDef(
        **{k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()},
    )


def _parse_thresholds(metric_id: str, raw: object) -> Thresholds:
    if raw is None:
        return Thresholds()
    if not isinstance(raw, dict):
        raise CatalogError(f"thresholds.{metric_id}: expected a mapping of target/warning/critical")
    unknown = set(raw) - set(THRESHOLD_KEYS)
    if unknown:
        raise CatalogError(f"thresholds.{metric_id}: unknown key(s) {', '.join(sorted(unknown))}")
    values = {}
    for key, value in raw.items():
        if value is not None and not isinstance(value, int | float):
            raise CatalogError(f"thresholds.{metric_id}.{key}: {value!r} is not a number")
        values[key] = None if value is None else float(value)
    return Thresholds(**values)


def load_catalog(thresholds: dict | None = None, path: Path = CATALOG_FILE) -> Catalog:
    """Read and validate the catalog, attaching the configured thresholds."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    records = data.get("metrics") if isinstance(data, dict) else None
    if not isinstance(records, list) or not records:
        raise CatalogError(f"{path}: expected a 'metrics:' list")
    metrics: dict[str, MetricDef] = {}
    for i, raw in enumerate(records):
        if not isinstance(raw, dict):
            raise CatalogError(f"catalog record {i + 1}: expected a mapping")
        metric = _parse_record(raw, i)
        if metric.id in metrics:
            raise CatalogError(f"catalog: duplicate id {metric.id}")
        metrics[metric.id] = metric
    for metric_id, raw in (thresholds or {}).items():
        if metric_id not in metrics:
            raise CatalogError(f"thresholds.{metric_id}: no such indicator in the catalog")
        metric = metrics[metric_id]
        metrics[metric_id] = MetricDef(
            **{f.name: getattr(metric, f.name) for f in fields(MetricDef) if f.name != "thresholds"},
            thresholds=_parse_thresholds(metric_id, raw),
        )
    return Catalog(metrics)
