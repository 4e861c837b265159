"""The shared cache: Redis when CACHE_URL is set, failing open when Redis does not answer.

What the cache holds here is an optimisation or a soft limit (buyer throttle counters, the
project facts of the registry pages), never the only copy of anything. So when Redis is down
every operation answers as if the key were missing (a read misses, a write is dropped) instead
of a 500: throttling lets requests through and the facts are computed from the database. After
a failure the cache is skipped for `PAUSE_SECONDS`, so a dead Redis costs one connection
attempt per process every few seconds, not one per request.
"""

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

PAUSE_SECONDS = 5.0
# A cache that answers slower than this is as good as down (the request goes on without it).
SOCKET_TIMEOUT_SECONDS = 0.5

T = TypeVar("T")
_MISSING: Any = object()


def cache_setting(url: str | None) -> dict[str, Any]:
    """The `CACHES["default"]` entry: fail-open Redis at `url`, else this process's memory."""
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    return {
        "BACKEND": "pichanaki.cache.FailOpenRedisCache",
        "LOCATION": url,
        "OPTIONS": {
            "socket_connect_timeout": SOCKET_TIMEOUT_SECONDS,
            "socket_timeout": SOCKET_TIMEOUT_SECONDS,
        },
    }


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache, answering "missing" instead of raising while Redis is down."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._skip_until = 0.0

    def _guard(self, fallback: T, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if time.monotonic() < self._skip_until:
            return fallback
        try:
            return call(*args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            self._skip_until = time.monotonic() + PAUSE_SECONDS
            logger.warning(
                "cache: Redis does not answer (%s); serving without it for %ss", exc, PAUSE_SECONDS
            )
            return fallback

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guard(default, super().get, key, default, version)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._guard({}, super().get_many, keys, version)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guard(False, super().has_key, key, version)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._guard(None, super().set, key, value, timeout, version)

    def set_many(self, data: dict, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list:
        return self._guard(list(data), super().set_many, data, timeout, version)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        # False ("already there"): a caller using add() as a lock must not think it holds it.
        return self._guard(False, super().add, key, value, timeout, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._guard(False, super().touch, key, timeout, version)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guard(False, super().delete, key, version)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._guard(None, super().delete_many, keys, version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        value = self._guard(_MISSING, super().incr, key, delta, version)
        if value is _MISSING:
            raise ValueError(f"Key '{key}' not found.")  # what Django answers for a missing key
        return value

    def clear(self) -> None:
        self._guard(None, super().clear)
