"""The admin's "Import data" pages: upload, preview with errors, commit, progress, history."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcels.importing import services, templates
from parcels.importing.forms import UploadForm
from parcels.models import ImportJob, ImportKind
from pichanaki.dispatch import JobsPaused
from pichanaki.locking import LockTimeout
from smallholders.selectors import cooperatives_for, projects_for, scope_for


def _require_importer(request: HttpRequest) -> None:
    if not scope_for(request.user).edits_field_data:
        raise PermissionDenied(_("Your role cannot import field data."))


def jobs_for(request: HttpRequest) -> QuerySet[ImportJob]:
    """Jobs of the user's projects; staff see those of their own cooperative only."""
    # A list or a status never needs a job's stored errors and sample (its count says enough).
    jobs = ImportJob.objects.filter(project__in=projects_for(user=request.user)).defer(
        "errors", "sample"
    )
    if scope_for(request.user).manages or scope_for(request.user).reads_everything:
        return jobs
    coops = cooperatives_for(user=request.user).values("pk")
    return jobs.filter(Q(cooperative__in=coops) | Q(created_by__profile__cooperative__in=coops))


def _context(request: HttpRequest, **extra: object) -> dict[str, object]:
    return {**admin.site.each_context(request), "kinds": ImportKind.choices, **extra}


def import_index(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    initial = {"kind": request.GET.get("kind", ImportKind.SMALLHOLDERS)}
    form = UploadForm(
        request.POST or None, request.FILES or None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = services.create_import_job(
                user=request.user,
                kind=data["kind"],
                project=data["project"],
                cooperative=data["cooperative"],
                upload=data["file"],
                requested_format=data["format"],
                land_use_before=data["land_use_before"],
            )
        except ValidationError as exc:
            form.add_error("cooperative", exc)
        except JobsPaused as paused:  # the job is saved: its check starts when jobs resume
            messages.warning(request, paused.message)
            return redirect("parcels_import:job", job_id=paused.pk)
        else:
            return redirect("parcels_import:job", job_id=job.pk)
    jobs = jobs_for(request).select_related("project", "cooperative", "created_by")[:50]
    return render(
        request,
        "parcels/import/index.html",
        _context(request, form=form, jobs=jobs, title=_("Import data")),
    )


def _job(request: HttpRequest, job_id: int, *, full: bool = False) -> ImportJob:
    jobs = jobs_for(request).select_related("project", "cooperative")
    return get_object_or_404(jobs.defer(None) if full else jobs, pk=job_id)


def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    _require_importer(request)
    job = _job(request, job_id, full=True)
    # The corrected file goes through the same upload, with this job's settings filled in.
    again = UploadForm(
        user=request.user,
        initial={
            "kind": job.kind,
            "project": job.project_id,
            "cooperative": job.cooperative_id,
            "format": job.requested_format,
            "land_use_before": job.land_use_before,
        },
    )
    return render(
        request,
        "parcels/import/job.html",
        _context(
            request,
            job=job,
            errors=job.errors,  # the first ERRORS_KEPT (parcels.models.imports)
            title=str(job),
            form=again,
            more_errors=max(job.error_count - len(job.errors), 0),
        ),
    )


@require_POST
def job_commit(request: HttpRequest, job_id: int) -> HttpResponse:
    _require_importer(request)
    job = _job(request, job_id)
    try:
        job = services.request_import_commit(job_id=job.pk, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except JobsPaused as paused:  # the job stays "importing": it is written when jobs resume
        messages.warning(request, paused.message)
    except LockTimeout as busy:  # another import is being written: the job is previewed again
        messages.error(request, busy.message)
    else:
        if job.status == "done":
            messages.success(
                request,
                _("Imported: %(created)s created, %(updated)s updated.")
                % {"created": job.created_count, "updated": job.updated_count},
            )
    return redirect("parcels_import:job", job_id=job.pk)


def job_status(request: HttpRequest, job_id: int) -> JsonResponse:
    _require_importer(request)
    job = _job(request, job_id)
    return JsonResponse(
        {
            "status": job.status,
            "status_display": job.status_label,
            "progress": job.progress,
            "finished": job.finished,
            "previewed": job.status == "previewed",
            "errors": job.error_count,
        }
    )


def template_download(
    request: HttpRequest, kind: str, language: str, extension: str
) -> HttpResponse:
    if (
        kind not in ImportKind.values
        or language not in ("es", "en")
        or extension not in ("csv", "xlsx")
    ):
        raise Http404
    refs = templates.example_refs(request.user)
    if extension == "csv":
        body, mime = templates.template_csv(kind, language, refs), "text/csv; charset=utf-8"
    else:
        body = templates.template_xlsx(kind, language, refs)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=mime)
    name = f"plantilla_{kind}_{language}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
