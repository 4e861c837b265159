"""A private Redis server for fault tests: started on a free port, stopped and restarted at will.

Tests that kill Redis must never kill the shared one the rest of the suite uses, so each gets
its own `redis-server` (no persistence, so a restart starts empty like a crashed cache).
"""

import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, db=db, socket_timeout=2)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                if self.client().ping():
                    return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def freeze(self) -> None:
        """Stop the server without closing its port (SIGSTOP): connections are accepted by the
        kernel and never answered, as with a hung Redis, a failover or a half-open link."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        """Kill the server (SIGKILL, as a crash) and wait until it is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def private_broker(private_redis: PrivateRedis) -> Iterator[PrivateRedis]:
    """The Celery app sends to a private Redis (db 0) that the test may kill and restart."""
    from pichanaki.celery import app
    from tests.conftest import switch_broker

    previous = switch_broker(app, url=private_redis.url(), eager=False)
    yield private_redis
    switch_broker(app, url=previous[0], eager=previous[1])


@contextmanager
def dying_during_dispatch(server: PrivateRedis) -> Iterator[None]:
    """Kill the broker as the next task message is being published (after the commit)."""
    from celery.signals import before_task_publish

    def kill(**_kwargs: object) -> None:
        server.stop()

    before_task_publish.connect(kill, weak=False)
    try:
        yield
    finally:
        before_task_publish.disconnect(kill)


@contextmanager
def started_worker(sent: list[str]) -> Iterator[None]:
    """A real worker on the app's broker, in this process; `sent` collects the names of the
    tasks it has run. Its start sends `worker_ready` like the `celery worker` command does (the
    testing worker only sends `test_worker_started`), so the start-up re-send runs as deployed."""
    from celery.contrib.testing.worker import start_worker, test_worker_started
    from celery.signals import task_postrun, worker_ready

    from pichanaki.celery import app

    def announce(consumer: object = None, **_kwargs: object) -> None:
        worker_ready.send(sender=consumer)

    def record(task: object = None, **_kwargs: object) -> None:
        sent.append(task.name)

    test_worker_started.connect(announce, weak=False)
    task_postrun.connect(record, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        test_worker_started.disconnect(announce)
        task_postrun.disconnect(record)


def wait_for(check, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@dataclass
class Answer:
    """What a call made while a server hangs came to, and whether it came in time."""

    finished: bool
    seconds: float
    result: object = None
    error: BaseException | None = None


def answered_within(seconds: float, call: Callable[[], object], *, thaw: PrivateRedis) -> Answer:
    """Run `call` in a thread while `thaw`'s server is frozen; after `seconds`, thaw the server
    (so that a call still waiting can end and the test does not hang) and say whether the call
    had finished by then."""
    from django.db import connection

    answer = Answer(finished=False, seconds=0.0)

    def run() -> None:
        try:
            answer.result = call()
        except BaseException as exc:  # noqa: BLE001 (reported to the test)
            answer.error = exc
        finally:
            connection.close()  # this thread's own database connection

    started = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=seconds)
    answer.finished = not thread.is_alive()
    answer.seconds = time.monotonic() - started
    thaw.thaw()
    thread.join(timeout=60)
    return answer
