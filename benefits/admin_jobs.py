"""The admin's "new distribution" page and the page that follows a large one's job.

A manager asks for a distribution of a project's confirmed sales (all those not yet
distributed, or the ones named). A small project's distribution is computed in the request and
the manager lands on it; a large one's job (benefits.jobs) is queued and the manager lands on a
page whose progress bar polls a small JSON endpoint, then goes to the distribution when done, or
shows why it failed. Every job is listed, read-only, for the managers of its project
(`DistributionJobAdmin`, registered from benefits.admin).
"""

from typing import cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from benefits.exceptions import BenefitsError
from benefits.jobs import start_distribution
from benefits.models import Distribution, DistributionJob
from pichanaki.admin_readonly import ReadOnlyMixin
from pichanaki.dispatch import JobsPaused
from smallholders.admin_scoping import ScopedAdmin
from smallholders.choices import Role
from smallholders.models import Project
from smallholders.selectors import projects_for, scope_for


class NewDistributionForm(forms.Form):
    project = forms.ModelChoiceField(queryset=Project.objects.none(), label=_("Project"))
    sales = forms.CharField(
        label=_("Sales"), required=False,
        help_text=_("Sale numbers separated by commas; empty: every confirmed sale not yet "
                    "distributed."),
    )  # fmt: skip
    policy_version = forms.IntegerField(
        label=_("Policy version"), required=False, min_value=1,
        help_text=_("Empty: the project's latest version."),
    )  # fmt: skip

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects_for(user=user)  # type: ignore[attr-defined]  # a ModelChoiceField

    def clean_sales(self) -> list[int] | None:
        text = self.cleaned_data["sales"].replace(" ", "")
        if not text:
            return None
        try:
            return sorted({int(part) for part in text.split(",") if part})
        except ValueError as exc:
            raise forms.ValidationError(_("Write sale numbers separated by commas.")) from exc


def new_distribution_view(model_admin, request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).manages:
        raise PermissionDenied
    form = NewDistributionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            made = start_distribution(
                project=form.cleaned_data["project"], actor=cast(User, request.user),
                sale_ids=form.cleaned_data["sales"],
                policy_version=form.cleaned_data["policy_version"],
            )  # fmt: skip
        except JobsPaused as exc:
            model_admin.message_user(request, str(exc), messages.WARNING)
            return redirect(reverse("admin:benefits_distribution_job", args=[exc.pk]))
        except BenefitsError as exc:
            form.add_error(None, str(exc))
        else:
            return _after_start(model_admin, request, made)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("New distribution"),
        "form": form,
    }
    return TemplateResponse(request, "admin/benefits/distribution/new.html", context)


def _after_start(model_admin, request: HttpRequest, made) -> HttpResponse:
    if isinstance(made, Distribution):
        model_admin.message_user(
            request, _("Distribution #%(id)s was created as a preview.") % {"id": made.pk}
        )
        return redirect(reverse("admin:benefits_distribution_change", args=[made.pk]))
    return redirect(reverse("admin:benefits_distribution_job", args=[made.pk]))


def _job_in_scope(request: HttpRequest, job_id: int) -> DistributionJob:
    scope = scope_for(request.user)
    if not (scope.manages or scope.approves):
        raise PermissionDenied
    job = (
        DistributionJob.objects.filter(pk=job_id, project__in=projects_for(user=request.user))
        .select_related("project", "distribution")
        .first()
    )
    if job is None:
        raise Http404
    return job


def job_view(model_admin, request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_in_scope(request, job_id)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Distribution of %(project)s") % {"project": job.project},
        "job": job,
        "progress_url": reverse("admin:benefits_distribution_job_progress", args=[job.pk]),
    }
    return TemplateResponse(request, "admin/benefits/distribution/job.html", context)


def job_progress_view(model_admin, request: HttpRequest, job_id: int) -> JsonResponse:
    job = _job_in_scope(request, job_id)
    done = job.distribution_id is not None
    return JsonResponse(
        {
            "status": job.status,
            "status_display": str(job.get_status_display()),
            "progress": job.progress,
            "live": job.live,
            "error": job.error,
            "distribution_url": reverse(
                "admin:benefits_distribution_change", args=[job.distribution_id]
            )
            if done
            else None,
        }  # fmt: skip
    )


class DistributionJobAdmin(ReadOnlyMixin, ScopedAdmin):
    """The distribution jobs, read-only, for the managers of their project: who asked, when,
    how far it got, and a link to its progress page or to the distribution it made."""

    read_roles = (Role.MANAGER,)
    write_roles = ()
    list_display = ["pk", "project", "status", "progress_bar", "families", "requested_by",
                    "created_at", "finished_at", "follow"]  # fmt: skip
    list_display_links = None
    list_filter = ["status", "project"]
    list_select_related = ["project", "requested_by"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(project__in=projects_for(user=request.user))

    @admin.display(description=_("progress (%)"), ordering="progress")
    def progress_bar(self, job: DistributionJob) -> str:
        return format_html('<progress value="{}" max="100"></progress> {} %', job.progress,
                           job.progress)  # fmt: skip

    @admin.display(description=_("follow"))
    def follow(self, job: DistributionJob) -> str:
        if job.distribution_id is not None:
            url = reverse("admin:benefits_distribution_change", args=[job.distribution_id])
            return format_html('<a href="{}">{}</a>', url,
                               _("Distribution #%(id)s") % {"id": job.distribution_id})  # fmt: skip
        url = reverse("admin:benefits_distribution_job", args=[job.pk])
        return format_html('<a href="{}">{}</a>', url, _("Progress page"))
