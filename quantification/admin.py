"""Admin of parameter sets and calculation runs (imported by `parcels/admin.py`).

Parameter sets are read-only once created; "new version" is the add form, pre-filled from an
existing version. Runs are started with the add form, shown on a detail page (summary,
strata, parcels, warnings, a progress bar fed by a small JSON endpoint) and approved or
rejected there by verifiers and the project's managers.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from parcels.choices import ParcelStatus
from pichanaki.dispatch import JobsPaused, unsent
from pichanaki.locking import LockTimeout
from quantification import adapter, exports, failures, selectors, services
from quantification.exceptions import (
    CalculationError,
    InvalidParameters,
    NotAllowed,
    RunNotReady,
)
from quantification.figures import translate_warning
from quantification.models import CalculationRun, ParameterSet, RunKind, RunStatus
from quantification.outboxes import CALCULATION_RUNS
from smallholders.admin_scoping import ScopedAdmin, within
from smallholders.choices import Role
from smallholders.selectors import projects_for


class ParameterSetForm(forms.ModelForm):
    parameters = forms.JSONField(
        label=_("parameters"), help_text=_("Missing keys take the specification's defaults.")
    )

    class Meta:
        model = ParameterSet
        fields = ["project", "parameters", "note"]

    def clean_parameters(self) -> dict:
        try:
            adapter.validate_parameters(self.cleaned_data["parameters"])
        except InvalidParameters as exc:
            raise forms.ValidationError(exc.message) from exc
        return self.cleaned_data["parameters"]


@admin.register(ParameterSet)
class ParameterSetAdmin(ScopedAdmin):
    read_roles = (Role.MANAGER, Role.VERIFIER)  # technicians do not run calculations
    write_roles = (Role.MANAGER,)
    form = ParameterSetForm
    list_display = ["project", "version", "short_fingerprint", "created_by", "created_at"]
    list_filter = ["project"]
    readonly_fields = ["version", "fingerprint", "created_by", "created_at"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return within(queryset, selectors.parameter_sets_for(user=request.user))

    @admin.display(description=_("fingerprint"))
    def short_fingerprint(self, obj: ParameterSet) -> str:
        return obj.fingerprint[:12]

    def get_fields(self, request: HttpRequest, obj: ParameterSet | None = None) -> list:
        fields = super().get_fields(request, obj)
        return ["note_shown" if f == "note" and obj is not None else f for f in fields]

    @admin.display(description=_("note"))
    def note_shown(self, obj: ParameterSet) -> str:
        return gettext(obj.note) if obj.note else "—"  # the default set's note is a msgid

    def get_form(self, request: HttpRequest, obj: ParameterSet | None = None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "project" in form.base_fields:
            form.base_fields["project"].queryset = projects_for(user=request.user)
        return form

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        """`?from=<id>`: a new version starts as a copy of an existing one."""
        source = request.GET.get("from")
        if not source:
            return super().get_changeform_initial_data(request)
        base = selectors.access_parameter_set(user=request.user, parameter_set_id=source)
        return {"project": base.project_id, "parameters": base.parameters}

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # immutable: a change is a new version

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ParameterSet, form, change: bool) -> None:
        try:
            created = services.create_parameter_set_version(
                project_id=obj.project_id,
                parameters=form.cleaned_data["parameters"],
                note=obj.note,
                actor=request.user,
            )
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        obj.pk, obj.version = created.pk, created.version

    def save_form(self, request: HttpRequest, form, change: bool):
        return form.save(commit=False)


PARCELS_PER_PAGE = 50


def _failure(run: CalculationRun) -> dict | None:
    if run.status != RunStatus.FAILED:
        return None
    return failures.describe_failure(
        code=run.failure_code, params=run.failure_params, run_id=run.pk
    )


def _scope(run: CalculationRun) -> dict | None:
    """Parcels included and left out (by status, translated), from the run's details."""
    scope = run.details.get("parcel_scope")
    if scope is None:
        return None
    labels = dict(ParcelStatus.choices)
    excluded = [(labels.get(k, k), n) for k, n in scope["excluded"].items() if n]
    return {
        "included": scope["included"],
        "excluded": excluded,
        "n_excluded": sum(n for _label, n in excluded),
    }


class StartRunForm(forms.ModelForm):
    class Meta:
        model = CalculationRun
        fields = [
            "project",
            "kind",
            "period_start",
            "period_end",
            "parameter_set",
            "project_emissions_tco2e",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parameter_set"].required = False
        self.fields["parameter_set"].help_text = _("Empty: the project's latest version.")

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("project_emissions_tco2e") and cleaned.get("kind") != RunKind.EX_POST:
            self.add_error(
                "project_emissions_tco2e",
                _("Project emissions are monitored: ex-post runs only."),
            )
        self._check_readiness(cleaned)
        return cleaned

    def _check_readiness(self, cleaned: dict) -> None:
        """The service's own readiness check, so the form refuses what the service would."""
        needed = ("project", "kind", "period_start", "period_end")
        if self.errors or not all(cleaned.get(name) for name in needed):
            return
        try:
            services.check_run_readiness(
                project_id=cleaned["project"].pk,
                kind=cleaned["kind"],
                period_start=cleaned["period_start"],
                period_end=cleaned["period_end"],
            )
        except RunNotReady as exc:
            raise forms.ValidationError(exc.sentences) from exc


@admin.register(CalculationRun)
class CalculationRunAdmin(ScopedAdmin):
    read_roles = (Role.MANAGER, Role.VERIFIER)
    write_roles = (Role.MANAGER,)
    form = StartRunForm
    list_display = [
        "id",
        "project",
        "kind",
        "period_start",
        "period_end",
        "status",
        "progress_bar",
        "started_by",
        "queued_at",
        "finished_at",
        "stock_tco2e",
        "net_tco2e",
        "issuable_tco2e",
    ]
    list_filter = ["project", "kind", "status"]
    list_select_related = ["project", "started_by"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        # the list never shows a run's details (per-parcel JSON that grows with the project)
        runs = within(queryset, selectors.runs_for(user=request.user))
        return runs.defer("details", "warnings")

    @admin.display(description=_("progress"))
    def progress_bar(self, obj: CalculationRun) -> str:
        return format_html(
            '<progress max="100" value="{}">{}%</progress>', obj.progress, obj.progress
        )

    def get_form(self, request: HttpRequest, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["project"].queryset = projects_for(user=request.user)
        form.base_fields["parameter_set"].queryset = selectors.parameter_sets_for(user=request.user)
        return form

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # runs change only through the services (start, approve, reject)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def save_form(self, request: HttpRequest, form, change: bool):
        return form.save(commit=False)

    def save_model(self, request: HttpRequest, obj: CalculationRun, form, change: bool) -> None:
        try:
            run = services.start_calculation_run(
                project_id=obj.project_id,
                kind=obj.kind,
                period_start=obj.period_start,
                period_end=obj.period_end,
                parameter_set_id=obj.parameter_set_id,
                project_emissions_tco2e=obj.project_emissions_tco2e,
                actor=request.user,
            )
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        obj.pk = run.pk
        # The admin saves inside its own transaction, so the task is sent at that commit: only
        # then is it known whether the broker answered (the run is saved either way).
        transaction.on_commit(lambda: _warn_if_unsent(request, run.pk))

    def get_urls(self):
        own = [
            path(
                "<int:run_id>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="quantification_calculationrun_progress",
            ),
            path(
                "<int:run_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="quantification_calculationrun_review",
            ),
            path(
                "<int:run_id>/parcels.csv",
                self.admin_site.admin_view(self.parcels_csv_view),
                name="quantification_calculationrun_parcels_csv",
            ),
        ]
        return own + super().get_urls()

    def response_add(self, request: HttpRequest, obj: CalculationRun, post_url_continue=None):
        """Say what happened: the run is queued (not done), and where to follow it."""
        message = _(
            "Run #%(run)d was queued: it is computed in the background; this page shows its "
            "progress and, when it ends, its results or why it failed."
        ) % {"run": obj.pk}
        self.message_user(request, message, messages.INFO)
        return redirect(reverse("admin:quantification_calculationrun_change", args=[obj.pk]))

    def change_view(self, request: HttpRequest, object_id: str, form_url="", extra_context=None):
        run = self._object_in_scope(request, object_id)
        if request.method == "POST":
            raise PermissionDenied  # a run changes only through its review (approve/reject)
        parcels = Paginator(selectors.parcel_results(run=run), PARCELS_PER_PAGE)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": str(run),
            "run": run,
            "failure": _failure(run),
            "scope": _scope(run),
            "strata": run.strata.select_related("stratum").order_by("stratum__code"),
            "parcels": parcels.get_page(request.GET.get("page")),
            "vintages": run.vintages.all(),
            "warnings": [translate_warning(w) for w in run.warnings],
            "details_json": json.dumps(run.details, indent=2, sort_keys=True),
            "can_review": run.status == RunStatus.SUCCEEDED
            and selectors.can_review_runs(user=request.user, project_id=run.project_id),
            "live": run.status in (RunStatus.QUEUED, RunStatus.RUNNING),
            "parameters_json": json.dumps(run.parameter_set.parameters, indent=2, sort_keys=True),
            "is_ex_ante": run.kind == RunKind.EX_ANTE,
        }
        return TemplateResponse(request, "quantification/run_detail.html", context)

    def parcels_csv_view(self, request: HttpRequest, run_id: int) -> HttpResponse:
        """Every parcel result of the run (the page shows them a page at a time); scoped and
        role-checked like the run's page: out of scope is 404, a role that may not read is 403."""
        run = self._object_in_scope(request, str(run_id))
        return exports.parcel_results_csv(run=run)

    def progress_view(self, request: HttpRequest, run_id: int) -> JsonResponse:
        run = self._object_in_scope(request, str(run_id))
        return JsonResponse(
            {
                "status": run.status,
                "progress": run.progress,
                "status_display": str(run.get_status_display()),
            }
        )

    def review_view(self, request: HttpRequest, run_id: int) -> HttpResponse:
        self._object_in_scope(request, str(run_id))  # then the service checks the role
        return require_POST(self._review)(request, run_id)

    def _review(self, request: HttpRequest, run_id: int) -> HttpResponse:
        approve = request.POST.get("decision") == "approve"
        service = services.approve_calculation_run if approve else services.reject_calculation_run
        try:
            service(run_id=run_id, actor=request.user, note=request.POST.get("note", ""))
        except (CalculationError, LockTimeout) as exc:  # refused, or busy: try again
            self.message_user(request, exc.message, messages.ERROR)
        else:
            done = _("The run was approved.") if approve else _("The run was rejected.")
            self.message_user(request, done, messages.SUCCESS)
        return redirect(reverse("admin:quantification_calculationrun_change", args=[run_id]))


def _warn_if_unsent(request: HttpRequest, run_id: int) -> None:
    if unsent(CALCULATION_RUNS, run_id):
        messages.warning(request, JobsPaused.message)
