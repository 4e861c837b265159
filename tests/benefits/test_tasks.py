"""The beat task that previews undistributed sales, and the batch of statements on a real
Celery worker (Redis broker) with its progress."""

import subprocess
import time

import pytest

from benefits.batches import request_statement_batch
from benefits.models import Distribution, StatementBatch
from benefits.services import approve_distribution
from benefits.tasks import distribute_pending_sales_task


@pytest.mark.django_db
def test_beat_task_previews_undistributed_sales_once(sold):
    assert distribute_pending_sales_task.apply().get() == 1
    d = Distribution.objects.get()
    assert d.status == "preview" and d.created_by is None and d.sales.count() == 2
    assert distribute_pending_sales_task.apply().get() == 0


@pytest.mark.django_db(transaction=True)
def test_cooperative_batch_renders_on_a_worker_with_progress(sold, celery_worker_on_redis):
    personas = sold.ledger.personas
    distribute_pending_sales_task.apply()
    approve_distribution(distribution_id=Distribution.objects.get().pk, actor=personas.verifier)
    batch = request_statement_batch(
        project=sold.project, cooperative=personas.coop_a1, period=None, actor=personas.staff_a1
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        batch = StatementBatch.objects.get(pk=batch.pk)
        if batch.status == "done":
            break
        time.sleep(0.5)
    assert batch.status == "done" and batch.done == batch.total == 3 and batch.progress == 100
    info = subprocess.run(
        ["pdfinfo", batch.pdf.path], check=True, capture_output=True, text=True
    ).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages")))
    assert pages >= 6  # each family: Spanish page(s), then English
