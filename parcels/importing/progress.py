"""Progress of an import job, written where the admin's progress bar can read it.

Inside the commit transaction an UPDATE of the job row would stay invisible until the very end,
so on PostgreSQL progress goes through a second, autocommitting connection. The transaction
itself must therefore not touch the job row before its last progress write (or the side
connection would wait for the row lock held by its own caller). SQLite allows one writer at a
time; there the commit runs inline and reports no intermediate progress.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from parcels.models import ImportJob


class JobProgress:
    """A callback `(done, total)` mapping a phase onto `start`..`end` percent of the job."""

    def __init__(self, job_id: int, start: int = 0, end: int = 100) -> None:
        self.job_id, self.start, self.end = job_id, start, end
        self.side: BaseDatabaseWrapper | None = None

    def __call__(self, done: int, total: int) -> None:
        self.set(self.start + (self.end - self.start) * done // max(total, 1))

    def set(self, percent: int) -> None:
        percent = min(max(percent, 0), 100)
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=self.job_id).update(progress=percent)
        elif settings.POSTGRES:
            self._side_update(percent)

    def _side_update(self, percent: int) -> None:
        if self.side is None:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportJob._meta.db_table} SET progress = %s WHERE id = %s",  # noqa: S608
                [percent, self.job_id],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None
