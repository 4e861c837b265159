"""A process-local cache of recent public responses, a couple of seconds old at most.

Availability is read far more often than it changes, and a listing a second or two old is
harmless: every reservation re-checks the quantity under the ledger's lock and answers 409
when it is gone. Serving repeats from memory keeps the endpoint's cost close to a bare DRF
view whatever the size of the ledger (bench/bench_availability.py).
"""

import threading
import time
from collections.abc import Callable
from typing import Any


class MicroCache:
    def __init__(self, *, seconds: float, max_entries: int = 256) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Any | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def get_or_compute(self, key: str, compute: Callable[[], Any]) -> Any:
        value = self.get(key)
        if value is not None:
            return value
        value = compute()
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()  # bounded: odd query strings cannot grow it forever
            self._entries[key] = (time.monotonic() + self.seconds, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


AVAILABILITY_SECONDS = 2.0
availability_cache = MicroCache(seconds=AVAILABILITY_SECONDS)
# Kept-head checks (public, cheap, asked again and again by monitors): as old as availability.
kept_head_cache = MicroCache(seconds=AVAILABILITY_SECONDS)
