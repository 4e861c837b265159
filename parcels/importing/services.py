"""Import services: plan (preview) and commit field-data files, directly or as ImportJobs.

The rules: a preview writes nothing; a commit re-reads and re-checks the whole file under the
same rules inside one transaction and writes only when no row has an error, so a file is
imported all or nothing. Files above ``IMPORT_ASYNC_ROWS`` rows (default 2,000) are checked and
committed by a Celery task, with progress on the job.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from parcels.importing.base import ImportContext, Importer, Plan, ProgressCallback
from parcels.importing.columns import Columns, read_columns
from parcels.importing.labels import name_columns
from parcels.importing.measurements import MeasurementImporter
from parcels.importing.parcels import ParcelImporter
from parcels.importing.plantings import PlantingImporter
from parcels.importing.progress import JobProgress
from parcels.importing.readers.errors import FieldFileError, RowError
from parcels.importing.records import estimate_rows, read_records, resolve_format
from parcels.importing.smallholders import SmallholderImporter
from parcels.models import ImportJob, ImportKind, ImportStatus
from parcels.models.imports import ERRORS_KEPT
from parcels.outboxes import IMPORT_COMMITS, IMPORT_PREVIEWS
from parcels.services import lock_project_parcels
from parcels.signals import announce_field_data_written
from pichanaki import dispatch
from pichanaki.collector import collector_paused
from pichanaki.locking import IMPORT_COMMIT, LockTimeout, take_lock
from smallholders.models import Cooperative, Project, ProjectCooperative
from smallholders.selectors import access_cooperative, access_project, cooperatives_for, scope_for

IMPORTERS: dict[str, type[Importer]] = {
    ImportKind.SMALLHOLDERS: SmallholderImporter,
    ImportKind.PARCELS: ParcelImporter,
    ImportKind.PLANTINGS: PlantingImporter,
    ImportKind.MEASUREMENTS: MeasurementImporter,
}


def async_threshold() -> int:
    return int(getattr(settings, "IMPORT_ASYNC_ROWS", 2000))


@dataclass
class Outcome:
    """The result of planning or committing a file."""

    format: str
    plan: Plan
    committed: bool = False


def import_context(
    *,
    user: User | None,
    project: Project,
    cooperative: Cooperative | None = None,
    reason: str = "",
    land_use_before: str = "",
) -> ImportContext:
    """Who imports what where. `user=None` is the command line run without --user (all of the
    project's cooperatives). `land_use_before` is the default for parcel rows without one.
    Raises PermissionDenied for roles that cannot import and Http404 for a project or
    cooperative outside the user's scope."""
    allowed = ProjectCooperative.objects.filter(project=project).values_list(
        "cooperative_id", flat=True
    )
    if user is not None:
        if not scope_for(user).edits_field_data:
            raise PermissionDenied(_("Your role cannot import field data."))
        project = access_project(user=user, project_id=project.pk)
        allowed = allowed.filter(cooperative_id__in=cooperatives_for(user=user).values("pk"))
        if cooperative is not None:
            cooperative = access_cooperative(user=user, cooperative_id=cooperative.pk)
    ids = frozenset(allowed)
    if cooperative is not None:
        if cooperative.pk not in ids:
            raise ValidationError(
                {"cooperative": _("This cooperative does not take part in this project.")}
            )
        ids = frozenset({cooperative.pk})
    return ImportContext(
        project, cooperative, ids, user, reason or _("Data import"), land_use_before
    )


def plan_file(
    *,
    kind: str,
    data: bytes,
    filename: str,
    context: ImportContext,
    requested_format: str = "",
    progress: ProgressCallback | None = None,
) -> tuple[Outcome, Importer]:
    """Read and check every row; writes nothing. File-level problems become row-1 errors."""
    importer = IMPORTERS[kind](context)
    with collector_paused():
        return _plan_file(importer, data, filename, requested_format, progress), importer


def _plan_file(
    importer: Importer,
    data: bytes,
    filename: str,
    requested_format: str,
    progress: ProgressCallback | None,
) -> Outcome:
    read = read_columns if importer.columnar else read_records
    options = {} if importer.columnar else {"geographic": getattr(importer, "geographic", False)}
    try:
        records = read(
            data,
            filename,
            aliases=importer.aliases,
            required=importer.required,
            requested_format=requested_format,
            **options,
        )
    except FieldFileError as exc:
        errors = exc.errors or [RowError(1, "", exc.message)]
        return Outcome(requested_format or "", Plan(errors=name_columns(errors, {})))
    if isinstance(records, Columns):  # read_columns, for a columnar importer
        plan = importer.plan_columns(records, progress)
    else:
        plan = importer.plan(records.records, progress)
    # Rows (or features) the reader already rejected are rows of the file all the same.
    plan.rows += len({(error.sheet, error.row) for error in records.errors})
    plan.errors[:0] = records.errors
    plan.errors = name_columns(plan.errors, records.headers)
    return Outcome(records.format, plan)


def import_file(
    *,
    kind: str,
    data: bytes,
    filename: str,
    context: ImportContext,
    requested_format: str = "",
    commit: bool = False,
    progress: ProgressCallback | None = None,
) -> Outcome:
    """Preview (`commit=False`) or import a file all or nothing.

    Locks for the whole commit: the project's IMPORT_COMMIT and, for parcel files only, its
    PARCEL_BOUNDARIES (LockTimeout when busy). Side effects on commit without errors: the
    records and their history rows."""
    if not commit:
        return plan_file(
            kind=kind,
            data=data,
            filename=filename,
            context=context,
            requested_format=requested_format,
            progress=progress,
        )[0]
    # One transaction for checking and writing: a row that fails stops the whole file. The
    # import lock: two imports into one project never both pass the duplicate checks before
    # either writes. A parcel file's overlap checks also need the parcel lock (as save_parcel).
    with transaction.atomic():
        take_lock(IMPORT_COMMIT, context.project.pk)
        if IMPORTERS[kind].checks_boundaries:
            lock_project_parcels(project_id=context.project.pk)
        outcome, importer = plan_file(
            kind=kind,
            data=data,
            filename=filename,
            context=context,
            requested_format=requested_format,
            progress=progress,
        )
        if not outcome.plan.errors:
            with collector_paused():
                importer.write(outcome.plan)
            outcome.committed = True
            # Bulk writes send no model signals: say so once, after the commit.
            announce_field_data_written(project_id=context.project.pk)
    return outcome


# --- Jobs (admin) ----------------------------------------------------------------------------


def create_import_job(
    *,
    user: User,
    kind: str,
    project: Project,
    cooperative: Cooperative | None,
    upload: UploadedFile,
    requested_format: str = "",
    land_use_before: str = "",
) -> ImportJob:
    """Store an uploaded file as a job and start its preview (inline, or in Celery if large).

    Preconditions: as `import_context`. Side effects: the job row and the stored file; a Celery
    task once the surrounding transaction commits, for large files.
    """
    import_context(user=user, project=project, cooperative=cooperative)
    data = upload.read()
    upload.seek(0)
    name = upload.name or ""  # a browser upload always has one
    job = ImportJob(
        kind=kind,
        project=project,
        cooperative=cooperative,
        original_name=name,
        requested_format=requested_format,
        created_by=user,
        land_use_before=land_use_before,
    )
    try:
        job.detected_format = resolve_format(data, name, requested_format)
        job.run_async = estimate_rows(data, job.detected_format) > async_threshold()
    except FieldFileError:
        job.run_async = False  # the preview reports the problem, quickly
    job.file.save(name, upload, save=False)
    job.save()
    _dispatch(job, "preview")
    return job


def _dispatch(job: ImportJob, step: str) -> None:
    outbox = IMPORT_PREVIEWS if step == "preview" else IMPORT_COMMITS
    if job.run_async:
        # After commit: the worker must find the job row (and the file) it is given. The waiting
        # job is the message: with the broker down it waits, unsent, for the outbox sweep.
        dispatch.send_after_commit(outbox, job.pk).raise_if_paused()
    else:
        # A small file runs here, through the same task (named by the outbox, so this module
        # does not import the tasks module that imports it).
        import_string(outbox.task).apply(args=(job.pk,), throw=True)


def _job_context(job: ImportJob, user: User | None) -> ImportContext:
    reason = _("Import #%(id)s (%(name)s)") % {"id": job.pk, "name": job.original_name}
    return import_context(
        user=user,
        project=job.project,
        cooperative=job.cooperative,
        reason=reason[:100],
        land_use_before=job.land_use_before,
    )


def _read(job: ImportJob) -> bytes:
    with job.file.open("rb") as handle:
        data: bytes = handle.read()
    return data


def preview_import_job(*, job_id: int) -> ImportJob:
    """Check the job's file and store counts, errors and a sample. Writes no field data."""
    # Claimed by compare-and-set: a duplicate message finds the job no longer pending.
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.PREVIEWING, progress=0
    )
    job = ImportJob.objects.select_related("project", "cooperative", "created_by").get(pk=job_id)
    if not claimed:
        return job
    progress = JobProgress(job.pk, 0, 99)
    outcome, _importer = plan_file(
        kind=job.kind,
        data=_read(job),
        filename=job.original_name,
        context=_job_context(job, job.created_by),
        requested_format=job.requested_format,
        progress=progress,
    )
    _store_outcome(job, outcome, ImportStatus.PREVIEWED)
    job.previewed_at = timezone.now()
    job.save()
    return job


def _store_outcome(job: ImportJob, outcome: Outcome, status: str) -> None:
    plan = outcome.plan
    job.detected_format = outcome.format or job.detected_format
    job.rows_total = plan.rows
    job.to_create, job.to_update = plan.to_create, plan.to_update
    errors = plan.sorted_errors()
    job.error_count = len(errors)
    job.errors = [_error_dict(e) for e in errors[:ERRORS_KEPT]]  # the count tells the rest
    job.sample = plan.sample()
    job.status, job.progress = status, 100


def _error_dict(error: RowError) -> dict[str, object]:
    return {
        "row": error.row,
        "sheet": error.sheet,
        "field": error.field,
        "column": error.label,
        "message": error.message,
    }


def request_import_commit(*, job_id: int, user: User) -> ImportJob:
    """Start committing a previewed job without errors (inline, or in Celery if large).

    The status moves previewed → committing in one conditional UPDATE, so a double click or
    two people cannot commit the same file twice. Raises ValidationError if not committable.
    """
    job = ImportJob.objects.select_related("project", "cooperative").get(pk=job_id)
    _job_context(job, user)  # the committer's own rights, not only the uploader's
    claimed = ImportJob.objects.filter(
        pk=job.pk, status=ImportStatus.PREVIEWED, error_count=0
    ).update(status=ImportStatus.COMMITTING, progress=0, committed_by=user, dispatched_at=None)
    if not claimed:
        raise ValidationError(
            _("This import cannot be committed (it has errors or is already being imported).")
        )
    job.refresh_from_db()
    _dispatch(job, "commit")
    return job


def commit_import_job(*, job_id: int) -> ImportJob:
    """Re-check and write the job's file all or nothing; the job ends done or failed.

    Side effects: the records, their history rows, and the job's outcome, committed together.
    While another import into the project is being written, the job is not failed: a worker's
    job stays committing but unsent (the outbox sweep sends it again within a minute); one
    committed in the request goes back to previewed and LockTimeout says to try again."""
    job = ImportJob.objects.select_related(
        "project", "cooperative", "committed_by", "created_by"
    ).get(pk=job_id)
    try:
        return _commit_job(job)
    except LockTimeout:
        waiting = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.COMMITTING)
        if job.run_async:
            waiting.update(dispatched_at=None)
            return job
        waiting.update(status=ImportStatus.PREVIEWED, progress=100)
        raise


def _commit_job(job: ImportJob) -> ImportJob:
    progress = JobProgress(job.pk, 0, 99)
    # The job's outcome is saved in the same transaction as the records: a job marked done
    # always has its records, and a crash leaves neither (the task then marks it failed).
    with transaction.atomic():
        # Serialised by the project's import lock (import_file takes it again), then
        # re-checked: a duplicate message waits here for the first commit, then finds the job
        # finished and writes nothing. (Not the job row's lock: progress is written to it.)
        take_lock(IMPORT_COMMIT, job.project_id)
        if not ImportJob.objects.filter(pk=job.pk, status=ImportStatus.COMMITTING).exists():
            return job
        try:
            outcome = import_file(
                kind=job.kind,
                data=_read(job),
                filename=job.original_name,
                context=_job_context(job, job.committed_by or job.created_by),
                requested_format=job.requested_format,
                commit=True,
                progress=progress,
            )
        finally:
            progress.close()
        _store_outcome(
            job, outcome, ImportStatus.DONE if outcome.committed else ImportStatus.FAILED
        )
        job.created_count = outcome.plan.to_create if outcome.committed else 0
        job.updated_count = outcome.plan.to_update if outcome.committed else 0
        job.finished_at = timezone.now()
        job.save()
    return job


def fail_import_job(*, job_id: int, message: str) -> None:
    """Mark a job failed after an unexpected error (nothing was written: the commit rolled back)."""
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportStatus.FAILED, message=message[:2000], finished_at=timezone.now()
    )
