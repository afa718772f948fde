"""Grouped percentiles and counts over per-row arrays (numpy), for latency indicators.

Latencies need per-row work (working days), so their rows are fetched in
narrow chunks; grouping then happens here with one sort instead of a Python
loop over rows.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from sqlalchemy import BigInteger, ColumnElement, Connection, Select, Text, func, type_coerce

CHUNK = 50_000


def fetch_columns(conn: Connection, query: Select, n_cols: int) -> list[list]:
    """Run a narrow query and return its columns as lists, reading it in chunks."""
    cols: list[list] = [[] for _ in range(n_cols)]
    result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(query)
    for part in result.partitions():
        for i, column in enumerate(zip(*part, strict=True)):
            cols[i].extend(column)
    return cols


def moment(col: ColumnElement, dialect: str) -> ColumnElement:
    """A TIMESTAMP column for bulk fetching, fractions of a second kept.

    SQLite holds the contract's 'YYYY-MM-DD HH:MM:SS[.ffffff]' text; reading it
    raw and letting numpy parse it is ~30× faster than building a datetime per
    row. DuckDB (extract mode) hands out microseconds since the epoch as
    integers, cheaper still. Other databases return datetimes, which numpy
    converts directly.
    """
    if dialect == "sqlite":
        return type_coerce(col, Text)
    if dialect == "duckdb":
        return type_coerce(func.epoch_us(col), BigInteger)
    return col


def to_datetime64(values: list) -> np.ndarray:
    """Timestamps (datetimes, contract text or epoch microseconds) as datetime64[us]."""
    if values and isinstance(values[0], int):
        return np.array(values, dtype=np.int64).astype("datetime64[us]")
    return np.array(values, dtype="datetime64[us]")


def group_codes(*columns: np.ndarray) -> tuple[np.ndarray, list[tuple]]:
    """Integer group ids for rows keyed by several columns, and each id's key tuple."""
    codes = []
    labels = []
    for col in columns:
        lab, inv = np.unique(col, return_inverse=True)
        codes.append(inv.astype(np.int64))
        labels.append(lab)
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    for code, lab in zip(codes, labels, strict=True):
        combined = combined * len(lab) + code
    uniq, group = np.unique(combined, return_inverse=True)
    keys = []
    for value in uniq:
        parts = []
        for lab in reversed(labels):
            value, rest = divmod(int(value), len(lab))
            parts.append(lab[rest])
        keys.append(tuple(reversed(parts)))
    return group, keys


def segments(period_idx: np.ndarray, group: np.ndarray) -> Iterator[tuple[int, object, np.ndarray]]:
    """Yield (period index, group value, row indices) for each non-empty combination.

    Rows with period index −1 (outside every period) are skipped.
    """
    keep = np.flatnonzero(period_idx >= 0)
    if keep.size == 0:
        return
    labels, codes = np.unique(group[keep], return_inverse=True)
    combined = period_idx[keep].astype(np.int64) * len(labels) + codes
    order = np.argsort(combined, kind="stable")
    sorted_keys = combined[order]
    bounds = np.flatnonzero(np.diff(sorted_keys)) + 1
    for chunk in np.split(order, bounds):
        key = combined[chunk[0]]
        yield int(key // len(labels)), labels[key % len(labels)], keep[chunk]


def assign_periods(moments: np.ndarray, starts: list, ends: list) -> np.ndarray:
    """Index of the period [start, end) holding each moment, −1 for none.

    The periods must be consecutive and non-overlapping, oldest first.
    """
    starts64 = np.array(starts, dtype="datetime64[us]")
    ends64 = np.array(ends, dtype="datetime64[us]")
    idx = np.searchsorted(starts64, moments, side="right") - 1
    valid = idx >= 0
    idx_clipped = np.clip(idx, 0, len(starts64) - 1)
    inside = valid & (moments < ends64[idx_clipped])
    return np.where(inside, idx, -1)
