"""Helpers of the metrics tests: find a value in a result, assert it exactly,
assert that a value is NOT emitted, read data-quality counts, and build rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

import pytest

from metrics.results import QualityCount, Value, dims_key

SKIP: Any = object()
"""Marks a numerator/denominator the spec leaves open (e.g. of a percentile)."""

ABS = 1e-9


def d(text: str) -> date:
    """'2026-03-18' -> date."""
    return date.fromisoformat(text)


def ts(text: str) -> datetime:
    """'2026-03-18 09:30' or '2026-03-18 09:30:15' -> naive datetime (Asia/Shanghai wall clock)."""
    return datetime.fromisoformat(text)


class Exp(NamedTuple):
    """One expected value: (metric, period, dims, value, numerator, denominator)."""

    metric: str
    period: str
    dims: dict
    value: float | None
    numerator: Any = SKIP
    denominator: Any = SKIP

    def id(self) -> str:
        return f"{self.metric}|{self.period}|{dims_key(self.dims)}"


class Absent(NamedTuple):
    """A value that must not be emitted."""

    metric: str
    period: str
    dims: dict

    def id(self) -> str:
        return f"{self.metric}|{self.period}|{dims_key(self.dims)}"


def values_of(result, metric: str, period: str | None = None) -> list[Value]:
    return [v for v in result.values if v.metric == metric and (period is None or v.period == period)]


def value_of(result, metric: str, period: str, dims: dict) -> Value | None:
    """The one value of (metric, period, dims), or None when not emitted.
    Several values under one identity are a bug in themselves."""
    found = [v for v in result.values if v.metric == metric and v.period == period and v.dims == dims]
    assert len(found) <= 1, f"{metric} {period} {dims} emitted {len(found)} times: {found}"
    return found[0] if found else None


def _same(got, want) -> bool:
    if want is None:
        return got is None
    return got is not None and got == pytest.approx(want, rel=1e-9, abs=ABS)


def expect(result, e: Exp) -> Value:
    """Assert the value (and numerator, denominator unless SKIP) of ``e``."""
    v = value_of(result, e.metric, e.period, e.dims)
    assert v is not None, (
        f"{e.id()} not emitted; emitted for {e.metric}: "
        f"{sorted((x.period, dims_key(x.dims)) for x in values_of(result, e.metric))}"
    )
    problems = []
    if not _same(v.value, e.value):
        problems.append(f"value {v.value!r} != expected {e.value!r}")
    if e.numerator is not SKIP and not _same(v.numerator, e.numerator):
        problems.append(f"numerator {v.numerator!r} != expected {e.numerator!r}")
    if e.denominator is not SKIP and not _same(v.denominator, e.denominator):
        problems.append(f"denominator {v.denominator!r} != expected {e.denominator!r}")
    assert not problems, f"{e.id()}: " + "; ".join(problems) + f" (got {v})"
    return v


def expect_absent(result, a: Absent) -> None:
    v = value_of(result, a.metric, a.period, a.dims)
    assert v is None, f"{a.id()} must not be emitted, got {v}"


def emitted_keys(result, metric: str, period_prefix: str = "") -> set[tuple[str, str]]:
    """{(period, dims_key)} emitted for a metric (optionally only periods with a prefix)."""
    return {
        (v.period, dims_key(v.dims))
        for v in result.values
        if v.metric == metric and v.period.startswith(period_prefix)
    }


def keys(*pairs: tuple[str, dict]) -> set[tuple[str, str]]:
    return {(p, dims_key(dm)) for p, dm in pairs}


def quality_of(result, rule: str, table: str) -> QualityCount | None:
    found = [q for q in result.quality if q.rule == rule and q.table == table]
    assert len(found) <= 1, f"quality ({rule}, {table}) reported {len(found)} times: {found}"
    return found[0] if found else None


def quality_rows(result, rule: str, table: str) -> int:
    q = quality_of(result, rule, table)
    return 0 if q is None else q.rows


def nonzero_quality(result) -> dict[tuple[str, str], int]:
    return {(q.rule, q.table): q.rows for q in result.quality if q.rows}


# --- common reference rows -------------------------------------------------


def school(region: str = "330100") -> list[dict]:
    return [{"school_code": "4133010001", "name_zh": "测试职业技术学院", "region_code": region}]


def department(code: str, kind: str = "academic") -> dict:
    return {"department_code": code, "name_zh": f"部门{code}", "name_en": None, "kind": kind}


def industry(code: str) -> dict:
    return {"industry_code": code, "name_zh": f"行业{code}"}


def major(code: str, dept: str, active: bool = True) -> dict:
    return {
        "major_code": code,
        "catalog_code": "510203",
        "name_zh": f"专业{code}",
        "department_code": dept,
        "active": active,
    }


def student(sid: str, major_code: str | None, entry: int, grad: int, status: str = "enrolled") -> dict:
    return {
        "student_id": sid,
        "major_code": major_code,
        "entry_year": entry,
        "expected_graduation_year": grad,
        "status": status,
    }


def enterprise(
    eid: str,
    partner: bool = False,
    since: date | None = None,
    industry_code: str | None = None,
    region: str | None = "330100",
) -> dict:
    return {
        "enterprise_id": eid,
        "name_zh": f"企业{eid}",
        "industry_code": industry_code,
        "region_code": region,
        "is_partner": partner,
        "partner_since": since,
    }
