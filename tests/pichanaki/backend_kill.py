"""Kill a database connection in the middle of an operation, as a crash or a failover would.

The operation runs in a thread; when it reaches the chosen call (before it, or just after it
returned) the thread is held, the test kills the thread's PostgreSQL backend from its own
connection with `pg_terminate_backend`, and the thread goes on against a dead connection.
"""

import threading
from collections.abc import Callable

from django.db import connection, connections

WAIT = 30  # seconds; generous for a busy machine, never reached when things work


def kill_at_call(
    monkeypatch,
    owner: object,
    name: str,
    operation: Callable[[], object],
    *,
    at_call: int = 1,
    after: bool = False,
) -> object:
    """Run `operation` in a thread and kill its backend at the `at_call`-th call of
    `owner.name` (before the call, or after it returned when `after`). Returns what the
    operation returned or raised."""
    reached, resume = threading.Event(), threading.Event()
    backend: dict[str, int] = {}
    calls = {"n": 0}
    real = getattr(owner, name)

    def hold() -> None:
        backend["pid"] = connection.connection.info.backend_pid  # this thread's connection
        reached.set()
        assert resume.wait(WAIT), "the test never resumed the operation"

    def paused(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == at_call and not after:
            hold()
        result = real(*args, **kwargs)
        if calls["n"] == at_call and after:
            hold()
        return result

    monkeypatch.setattr(owner, name, paused)
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["result"] = operation()
        except Exception as exc:  # noqa: BLE001 (asserted by the test)
            outcome["result"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert reached.wait(WAIT), f"the operation never reached {name}"
        with connection.cursor() as cursor:  # the test's own connection
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend["pid"]])
            assert cursor.fetchone()[0] is True
    finally:
        resume.set()
        thread.join(WAIT)
    assert not thread.is_alive()
    return outcome["result"]
