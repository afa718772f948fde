"""What the tests share besides fixtures (a plain module: several conftest.py
files exist, so ``from conftest import …`` would be ambiguous)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
MARIADB_ADMIN_URL = "mysql+pymysql://root@127.0.0.1:3306/?charset=utf8mb4"
MODES = ("extract", "pushdown")


def engine_options(mode: str):
    """EngineOptions of ``mode`` with the shipped config/default.yaml's extract settings."""
    from metrics.engine import EngineOptions
    from metrics.extract import ExtractOptions

    e = yaml.safe_load((ROOT / "config" / "default.yaml").read_text(encoding="utf-8"))["engine"]
    return EngineOptions(
        mode, ExtractOptions(e["chunk_rows"], e["memory_limit_mb"], e["threads"]), e["max_connections"]
    )
