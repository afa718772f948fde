"""The demo data platform: an invented 高职院校 in 常州, written to the
contract's 13 tables so that the demo runs the same code path as a real school.

``generate(url, scale=…, seed=…, today=…, progress=…)`` (re)creates and fills
the tables; ``PLANTED`` is how many planted bad rows each data-quality rule
should catch, ``planted_rows(today)`` which rows they are, ``planted_keys(today)``
the key of each planted case and ``planted_ids(today)`` the planted keys per
table (docs/demo.md lists the cases).
"""

from cockpit.demo.generator import generate
from cockpit.demo.planted import PLANTED, planted_ids, planted_keys, planted_rows

__all__ = ["PLANTED", "generate", "planted_ids", "planted_keys", "planted_rows"]
