"""A lease in the store's database: exactly one process at a time runs the schedule,
whatever host it is on, and another takes over when it dies.

A lease is a row (name, holder, expires_at) in the store. ``acquire()`` takes it when
it is free, expired, or already ours, in one conditional UPDATE (or the INSERT of a
first row): two contenders can never both succeed, on SQLite, PostgreSQL or
MySQL-family stores. The holder renews it every third of its lifetime on a daemon
thread; a process that dies (kill -9, a lost host) stops renewing and its lease
expires after ``ttl``, when a standby takes it. A holder that fails to renew (its
store unreachable longer than the lease, or the lease taken over) is told through
``on_lost`` and must stop: work is fenced by ``held()`` before each run.

Clocks: expiry compares the holders' UTC clocks, so the hosts keep time (NTP); the
lease (60 s by default, config refresh.lease_seconds) dwarfs ordinary skew.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from cockpit.store import Store, lease

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def holder_id() -> str:
    """host:pid:random — unique per process and per Lease object."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Lease:
    """One named lease on a store, held by this object while ``acquire`` says so."""

    def __init__(self, store: Store, name: str, ttl_seconds: float) -> None:
        self.store = store
        self.name = name
        self.ttl = timedelta(seconds=ttl_seconds)
        self.holder = holder_id()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.closed = False

    def acquire(self) -> bool:
        """Take the lease if free, expired or ours (renewing it); False if another holds it."""
        now = _now()
        t = lease
        try:
            with self.store.engine.begin() as conn:
                taken = conn.execute(
                    update(t)
                    .where(t.c.name == self.name, or_(t.c.holder == self.holder, t.c.expires_at < now))
                    .values(holder=self.holder, expires_at=now + self.ttl, acquired_at=now)
                ).rowcount
                if taken:
                    return True
                exists = conn.execute(select(t.c.name).where(t.c.name == self.name)).first()
                if exists is not None:
                    return False
                conn.execute(
                    insert(t).values(
                        name=self.name, holder=self.holder, expires_at=now + self.ttl, acquired_at=now
                    )
                )
                return True
        except IntegrityError:  # another process inserted the first row at the same moment
            return False

    def held(self) -> bool:
        """True while this object holds an unexpired lease (checked in the store)."""
        try:
            with self.store.engine.connect() as conn:
                row = conn.execute(select(lease).where(lease.c.name == self.name)).first()
        except SQLAlchemyError:
            return False
        return row is not None and row.holder == self.holder and row.expires_at > _now()

    def holder_of(self) -> str | None:
        """Who holds the lease now (None when free or expired)."""
        with self.store.engine.connect() as conn:
            row = conn.execute(select(lease).where(lease.c.name == self.name)).first()
        return row.holder if row is not None and row.expires_at > _now() else None

    def keep(self, on_lost: Callable[[], None]) -> None:
        """Renew every third of the lifetime on a daemon thread; ``on_lost`` once when a
        renewal fails (store down longer than the lease, or taken over)."""

        def run() -> None:
            interval = self.ttl.total_seconds() / 3
            while not self._stop.wait(interval):
                ok = False
                try:
                    ok = self.acquire()
                except SQLAlchemyError as e:
                    log.warning("lease %s: renewal failed: %s", self.name, e.__class__.__name__)
                if not ok and not self.held():
                    log.error("lease %s lost by %s; stopping its work", self.name, self.holder)
                    on_lost()
                    return

        self._thread = threading.Thread(target=run, name=f"lease-{self.name}", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop renewing and give the lease up (a standby takes it at once)."""
        if self.closed:
            return
        self.closed = True
        self._stop.set()
        try:
            with self.store.engine.begin() as conn:
                conn.execute(delete(lease).where(lease.c.name == self.name, lease.c.holder == self.holder))
        except SQLAlchemyError:
            pass  # it expires by itself
