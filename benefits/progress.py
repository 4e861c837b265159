"""Progress of a distribution job, written where the page's progress bar can read it.

`create_distribution` plans and writes in one locked transaction, so an UPDATE of the job row on
the same connection would stay invisible until the very end. On PostgreSQL progress therefore
goes through a second, autocommitting connection (the distribution's transaction never touches
the job row, so the side connection never waits for a lock held by its own caller). SQLite
allows one writer at a time: there progress moves only between the transaction's phases.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from benefits.models import DistributionJob


class JobProgress:
    """A callback `(percent, status)` that stores the job's progress and phase."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.side: BaseDatabaseWrapper | None = None  # a second connection, opened on first use

    def __call__(self, percent: int, status: str) -> None:
        percent = min(max(int(percent), 0), 99)  # 100 is the job's end, set with its outcome
        if not connection.in_atomic_block:
            DistributionJob.objects.filter(pk=self.job_id).update(progress=percent, status=status)
        elif settings.POSTGRES:
            self._side_update(percent, status)

    def _side_update(self, percent: int, status: str) -> None:
        if self.side is None:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        side = self.side
        table = DistributionJob._meta.db_table
        with side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET progress = %s, status = %s WHERE id = %s",  # noqa: S608
                [percent, status, self.job_id],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None
