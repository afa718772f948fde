"""Grouped percentiles and counts over per-row arrays (numpy), for latency indicators.

Latencies need per-row work (working days), so their rows are fetched in
narrow chunks; grouping then happens here with one sort instead of a Python
loop over rows.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
from sqlalchemy import BigInteger, ColumnElement, Connection, Select, Text, func, type_coerce

CHUNK = 50_000


def fetch_columns(conn: Connection, query: Select, n_cols: int) -> list[np.ndarray]:
    """Run a narrow query and return its columns as numpy arrays (text as object arrays).

    DuckDB (extract mode) hands its result over as numpy columns at once; other
    databases are read in chunks of rows.
    """
    if conn.dialect.name == "duckdb":
        result = conn.execute(query)
        try:
            arrays = list(result.cursor.fetchnumpy().values())
        finally:
            result.close()
        return [_unmask(a) for a in arrays]
    cols: list[list] = [[] for _ in range(n_cols)]
    result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(query)
    for part in result.partitions():
        for i, column in enumerate(zip(*part, strict=True)):
            cols[i].extend(column)
    return [np.array(c, dtype=object) for c in cols]


def _unmask(a: np.ndarray) -> np.ndarray:
    """A DuckDB column with NULLs comes as a masked array: NULL becomes None (object)."""
    if isinstance(a, np.ma.MaskedArray):
        if not a.mask.any():
            return a.data
        return a.astype(object).filled(None)
    return a


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


def to_datetime64(values) -> np.ndarray:
    """Timestamps (datetimes, contract text or epoch microseconds) as datetime64[us]."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "iu":
        return values.astype(np.int64).astype("datetime64[us]")
    if len(values) and isinstance(values[0], int | np.integer):
        return np.array(list(values), dtype=np.int64).astype("datetime64[us]")
    return np.array(list(values) if isinstance(values, np.ndarray) else values, dtype="datetime64[us]")


def factorize(col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct values, each row's index into them) — ``np.unique(col,
    return_inverse=True)`` without sorting every row: Arrow's hash-based
    dictionary encoding, then a sort of the (few) distinct values."""
    if col.dtype != object or len(col) == 0 or any(v is None for v in col[:1]):
        return np.unique(col, return_inverse=True)
    try:
        encoded = pa.array(col).dictionary_encode()
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return np.unique(col, return_inverse=True)
    if encoded.null_count:
        return np.unique(col, return_inverse=True)
    distinct = np.array(encoded.dictionary.to_pylist(), dtype=object)
    order = np.argsort(distinct, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return distinct[order], rank[encoded.indices.to_numpy(zero_copy_only=False)]


def group_codes(*columns: np.ndarray) -> tuple[np.ndarray, list[tuple]]:
    """Integer group ids for rows keyed by several columns, and each id's key tuple."""
    codes = []
    labels = []
    for col in columns:
        lab, inv = factorize(col)
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
    labels, codes = factorize(group[keep])
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
