"""Statements for a whole cooperative in one PDF, made in a background job with progress."""

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from benefits.models import DistributionLine, StatementBatch
from benefits.statements import issue_statement, statement_html
from smallholders.models import Cooperative, Project, Smallholder


def families_of(batch: StatementBatch):
    """Families of the cooperative with a line in the project (one statement each)."""
    ids = DistributionLine.objects.filter(
        distribution__project=batch.project, smallholder__cooperative=batch.cooperative
    ).values("smallholder_id")
    return Smallholder.objects.filter(pk__in=ids).order_by("last_name", "first_name", "pk")


@transaction.atomic
def request_statement_batch(
    *, project: Project, cooperative: Cooperative, period: int | None, actor: User
) -> StatementBatch:
    """Queue the batch; the job starts once this transaction commits (so it finds the row)."""
    batch = StatementBatch.objects.create(
        project=project, cooperative=cooperative, period=period, requested_by=actor
    )
    # After commit, so the worker finds the row; the task is named, not imported, because
    # benefits.tasks imports this module.
    task = import_string("benefits.tasks.render_statement_batch_task")
    transaction.on_commit(lambda: task.delay(batch.pk))
    return batch


def render_statement_batch(*, batch_id: int) -> StatementBatch:
    """Render every family's statement, saving progress after each, then one merged PDF."""
    from weasyprint import HTML

    batch = StatementBatch.objects.select_related("project", "cooperative").get(pk=batch_id)
    families = list(families_of(batch))
    StatementBatch.objects.filter(pk=batch.pk).update(total=len(families), status="running")
    pages = []
    for done, holder in enumerate(families, start=1):
        statement, facts = issue_statement(
            smallholder=holder, project=batch.project, period=batch.period
        )
        pages.extend(HTML(string=statement_html(statement, facts)).render().pages)
        # Progress is its own small write so a page polling the batch sees it move.
        StatementBatch.objects.filter(pk=batch.pk).update(done=done)
    batch.refresh_from_db()
    if pages:
        document = HTML(string="<p></p>").render()
        data = document.copy(pages).write_pdf()
        batch.pdf.save(f"statements-{batch.cooperative.code}-{batch.pk}.pdf", ContentFile(data),
                       save=False)  # fmt: skip
    batch.status, batch.finished_at = "done", timezone.now()
    batch.save(update_fields=["pdf", "status", "finished_at"])
    return batch
