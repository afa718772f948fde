"""Column-wise table data and the conversions to what every DBAPI driver takes.

Generation works on numpy arrays; drivers want Python values, and the contract
wants dates as ``YYYY-MM-DD`` and timestamps as ``YYYY-MM-DD HH:MM:SS`` text.
Doing those conversions column by column (not row by row) is what keeps scale
10 within minutes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from metrics.contract import SPECS


class TableData:
    """The rows of one contract table, held as one Python list per column."""

    def __init__(self, name: str, columns: dict[str, list]) -> None:
        names = [c.name for c in SPECS[name].columns]
        missing = set(names) - set(columns)
        if missing or set(columns) - set(names):
            raise KeyError(f"{name}: columns {sorted(columns)} do not match the contract {names}")
        lengths = {len(v) for v in columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"{name}: columns of different lengths {lengths}")
        self.name = name
        self.names = names
        self.columns = {n: list(columns[n]) for n in names}

    def __len__(self) -> int:
        return len(self.columns[self.names[0]])

    def append(self, **row: object) -> None:
        """Add one row; a column left out is NULL (used for the planted bad rows)."""
        unknown = set(row) - set(self.names)
        if unknown:
            raise KeyError(f"{self.name}: unknown columns {sorted(unknown)}")
        for n in self.names:
            self.columns[n].append(row.get(n))

    def rows(self) -> list[tuple]:
        return list(zip(*(self.columns[n] for n in self.names), strict=True))


def nullable(values: np.ndarray | Sequence, null: np.ndarray | None) -> list:
    """Python values with None where ``null`` is true."""
    out = np.asarray(values).tolist()
    if null is not None:
        for i in np.flatnonzero(null).tolist():
            out[i] = None
    return out


def date_text(days: np.ndarray, null: np.ndarray | None = None) -> list:
    """datetime64[D] values as ``YYYY-MM-DD`` text."""
    text = np.datetime_as_string(np.asarray(days, dtype="datetime64[D]"), unit="D")
    return nullable(text, null)


def timestamp_text(seconds: np.ndarray, null: np.ndarray | None = None) -> list:
    """Epoch seconds (naive local time) as ``YYYY-MM-DD HH:MM:SS`` text."""
    stamps = np.asarray(seconds, dtype=np.int64).astype("datetime64[s]")
    raw = np.datetime_as_string(stamps, unit="s").astype("S19")
    raw.view(np.uint8).reshape(-1, 19)[:, 10] = ord(" ")
    return nullable(raw.astype("U19"), null)


def rounded(values: np.ndarray, step: float = 1.0) -> np.ndarray:
    """Round to a multiple of ``step`` (money in whole yuan or tens)."""
    return np.round(np.asarray(values, dtype=np.float64) / step) * step
