"""The Redis cache backend the cockpit uses (config cache.type RedisCache): flask-caching's
RedisCache, but a Redis that is down never breaks or slows a page.

While Redis is unreachable every cache call answers "not cached" (the service layer
reads the snapshot store instead), one warning goes to the log when it goes away and
one line when it is back, and it is asked again only every ``RETRY_SECONDS`` (no
connection attempt per call in between). Connecting and reading time out after
``TIMEOUT_SECONDS``, so a Redis host that vanished without refusing costs at most that,
once per retry interval.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from flask_caching.backends.rediscache import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
TIMEOUT_SECONDS = 1.0


class ResilientRedisCache(RedisCache):
    """RedisCache that bypasses itself while Redis is down (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock = threading.Lock()
        self._down = False
        self._retry_at = 0.0

    @classmethod
    def factory(cls, app, config, args, kwargs):  # type: ignore[override]
        opts = dict(config.get("CACHE_OPTIONS") or {})
        opts.setdefault("socket_connect_timeout", TIMEOUT_SECONDS)
        opts.setdefault("socket_timeout", TIMEOUT_SECONDS)
        return super().factory(app, {**config, "CACHE_OPTIONS": opts}, args, kwargs)

    def _call(self, default: Any, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self._down and time.monotonic() < self._retry_at:
            return default
        try:
            result = fn(*args, **kwargs)
        except RedisError as e:
            with self._lock:
                self._retry_at = time.monotonic() + RETRY_SECONDS
                if not self._down:
                    self._down = True
                    log.warning("cache: Redis unreachable (%s); serving without the cache", type(e).__name__)
            return default
        if self._down:
            with self._lock:
                if self._down:
                    self._down = False
                    log.warning("cache: Redis is back; caching again")
        return result

    def get(self, key: str) -> Any:
        return self._call(None, super().get, key)

    def get_many(self, *keys: str) -> list[Any]:
        return self._call([None] * len(keys), super().get_many, *keys)

    def set(self, key: str, value: Any, timeout: int | None = None) -> Any:
        return self._call(False, super().set, key, value, timeout)

    def add(self, key: str, value: Any, timeout: int | None = None) -> Any:
        return self._call(False, super().add, key, value, timeout)

    def set_many(self, mapping: dict[str, Any], timeout: int | None = None) -> Any:
        return self._call([], super().set_many, mapping, timeout)

    def delete(self, key: str) -> Any:
        return self._call(False, super().delete, key)

    def delete_many(self, *keys: str) -> Any:
        return self._call([], super().delete_many, *keys)

    def has(self, key: str) -> Any:
        return self._call(False, super().has, key)

    def clear(self) -> Any:
        return self._call(False, super().clear)

    def inc(self, key: str, delta: int = 1) -> Any:
        return self._call(None, super().inc, key, delta)

    def dec(self, key: str, delta: int = 1) -> Any:
        return self._call(None, super().dec, key, delta)
