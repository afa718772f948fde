"""Shared fixtures: one fresh source database per backend (SQLite, PostgreSQL,
MariaDB) and helpers to load a hand-built data set into it and compute.

Every indicator test runs on all three backends, in both engine modes
(``extract``: copy into DuckDB and compute there; ``pushdown``: SQL on the
source). Data sets are loaded the way a school's ETL leaves them: plain
tables, no index, no ANALYZE. A server that cannot be reached makes the tests
FAIL (never skip): the suite exists to prove the engine's SQL runs unchanged
on every backend a school may use.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine_modes import MARIADB_ADMIN_URL, MODES, PG_ADMIN_URL, engine_options  # noqa: E402

from metrics.contract import METADATA, TABLES  # noqa: E402

BACKENDS = ("sqlite", "postgresql", "mariadb")


def _admin_engine(url: str, what: str) -> Engine:
    """An AUTOCOMMIT engine on the server, or a clear test failure."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error: the server is not usable
        engine.dispose()
        pytest.fail(
            f"{what} is unreachable at {url.split('@')[-1]} — the metrics tests need it "
            f"(they never skip a backend): {type(exc).__name__}: {exc}",
            pytrace=False,
        )
    return engine


@pytest.fixture(scope="session", params=BACKENDS)
def backend_url(request, tmp_path_factory) -> Iterator[str]:
    """URL of a uniquely named, initially empty database on one backend,
    created for this test session and dropped at its end."""
    kind = request.param
    if kind == "sqlite":
        path = tmp_path_factory.mktemp("source") / "source.sqlite"
        yield f"sqlite:///{path}"
        return
    name = f"metrics_test_{uuid.uuid4().hex[:12]}"
    if kind == "postgresql":
        admin = _admin_engine(PG_ADMIN_URL, "PostgreSQL")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        admin = _admin_engine(MARIADB_ADMIN_URL, "MariaDB")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
        try:
            yield f"mysql+pymysql://root@127.0.0.1:3306/{name}?charset=utf8mb4"
        finally:
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
            admin.dispose()


def load_dataset(url: str, data: dict[str, list[dict]]) -> Engine:
    """Drop and re-create the contract's tables at ``url`` and insert ``data``
    (table name -> list of row dicts; a column left out of a dict is NULL).
    Returns an engine on the database; the caller disposes of it."""
    unknown = set(data) - {t.name for t in TABLES}
    if unknown:
        raise KeyError(f"not contract tables: {sorted(unknown)}")
    engine = create_engine(url)
    METADATA.drop_all(engine)
    METADATA.create_all(engine)
    with engine.begin() as conn:
        for spec in TABLES:  # dependency order (the tables have no constraints anyway)
            rows = data.get(spec.name) or []
            if not rows:
                continue
            names = [c.name for c in spec.columns]
            full = []
            for row in rows:
                extra = set(row) - set(names)
                if extra:
                    raise KeyError(f"{spec.name}: unknown columns {sorted(extra)} in {row}")
                full.append({n: row.get(n) for n in names})
            conn.execute(METADATA.tables[spec.name].insert(), full)
    return engine


@pytest.fixture
def source_engine(backend_url) -> Iterator[Engine]:
    """A fresh empty source database (all contract tables dropped) on one backend."""
    engine = create_engine(backend_url)
    METADATA.drop_all(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def load_source(backend_url) -> Callable[[dict[str, list[dict]]], Engine]:
    """``load_source(data)`` loads a data set into this backend's database and
    returns an engine on it (dispose of it when done)."""
    return lambda data: load_dataset(backend_url, data)


@pytest.fixture(scope="session", params=MODES)
def mode(request) -> str:
    """The engine mode a test computes in."""
    return request.param


@pytest.fixture(scope="session")
def compute_on(backend_url, mode) -> Callable[..., dict]:
    """``compute_on(data, dates, calendar=None, thresholds=None)`` loads ``data``
    into this backend and returns {as_of_date: RefreshResult}, computing once per
    date in this test's engine mode (``thresholds``: config's ``thresholds:``).

    The results are plain objects, so a module-scoped fixture can keep them
    after the database has been reloaded for another data set."""
    options = engine_options(mode)

    def run(data: dict[str, list[dict]], dates: Iterable[date], calendar=None, thresholds=None) -> dict:
        from metrics.engine import compute
        from metrics.workdays import WorkCalendar

        cal = calendar if calendar is not None else WorkCalendar(extra_holidays=[], extra_workdays=[])
        engine = load_dataset(backend_url, data)
        try:
            return {
                d: compute(engine, d, options=options, calendar=cal, thresholds=thresholds) for d in dates
            }
        finally:
            engine.dispose()

    return run


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory):
    """The demo school's store (tests/support/demo.py), built once per session."""
    from tests.support.demo import build_demo_store

    return build_demo_store(tmp_path_factory.mktemp("demo-store"))
