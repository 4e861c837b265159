"""Admin of benefit sharing, scoped like every other app (benefits.selectors):
staff see their cooperative's families' lines and statements; managers their projects and write
policies, rates, advances and distributions; verifiers read and approve. Money rows are never
edited here: every write goes through a service."""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from benefits import admin_jobs, payments, selectors, services
from benefits.exceptions import BenefitsError
from benefits.models import (
    Advance,
    Distribution,
    DistributionJob,
    DistributionLine,
    ExchangeRate,
    Grievance,
    PaymentEvent,
    SharingPolicy,
    StatementBatch,
    TrustHold,
)
from benefits.reversals import ReversalAgainst, reversals_against
from benefits.sharing import PolicyError, check_terms
from benefits.statements import issue_statement, render_pdf, statement_html
from pichanaki.admin_readonly import ReadOnlyMixin
from smallholders.admin_scoping import ScopedAdmin, within
from smallholders.choices import Role
from smallholders.selectors import cooperatives_for, projects_for, scope_for, smallholders_for

# Who sees what (issue 11): managers and verifiers read the registry side of benefit sharing;
# cooperative staff read their cooperative's families' lines and statements and file
# grievances; buyers never reach the admin.
REGISTRY = (Role.MANAGER, Role.VERIFIER)


class PolicyForm(forms.ModelForm):
    class Meta:
        model = SharingPolicy
        fields = ["project", "basis", "costs", "producers_share", "floor", "cooperative_share",
                  "community_fund_share", "split_method", "mix", "survival_threshold",
                  "max_years_since_monitoring", "trust_deadline_months", "after_deadline",
                  "advance_recovery_rate", "clawback"]  # fmt: skip

    def clean(self) -> dict:
        data = super().clean()
        try:
            check_terms(SharingPolicy(**{k: v for k, v in data.items() if v is not None}).terms)
        except (PolicyError, KeyError, TypeError, ArithmeticError) as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data


@admin.register(SharingPolicy)
class SharingPolicyAdmin(ScopedAdmin):
    """Policies are added (a new version each time), never changed."""

    form = PolicyForm
    read_roles = REGISTRY
    write_roles = (Role.MANAGER,)
    list_display = ["project", "version", "basis", "producers_share", "floor", "split_method",
                    "created_at"]  # fmt: skip
    list_filter = ["project", "basis", "split_method"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(project__in=projects_for(user=request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "project":
            kwargs["queryset"] = projects_for(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return obj is None and self._writes(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def save_model(self, request, obj: SharingPolicy, form, change: bool) -> None:
        fields = {k: v for k, v in form.cleaned_data.items() if k != "project"}
        saved = services.create_policy(project=obj.project, actor=request.user, **fields)
        obj.pk, obj.version = saved.pk, saved.version


@admin.register(ExchangeRate)
class ExchangeRateAdmin(ScopedAdmin):
    read_roles = REGISTRY
    write_roles = (Role.MANAGER,)
    list_display = ["currency", "rate_to_pen", "source", "rate_date"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset if scope_for(request.user).approves else queryset.none()

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return obj is None and self._writes(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Advance)
class AdvanceAdmin(ScopedAdmin):
    read_roles = REGISTRY
    write_roles = (Role.MANAGER,)
    list_display = ["smallholder", "project", "amount", "paid_on", "reason"]
    list_filter = ["project"]
    raw_id_fields = ["smallholder"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(project__in=projects_for(user=request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """A project the person manages, a family of theirs (and of it: Advance.clean)."""
        if scoped := {"project": projects_for, "smallholder": smallholders_for}.get(db_field.name):
            kwargs["queryset"] = scoped(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return obj is None and self._writes(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


#: lines listed by family on a distribution's page (the rest: its totals, the lines list)
LARGEST_LINES = 50


@admin.register(Distribution)
class DistributionAdmin(ReadOnlyMixin, ScopedAdmin):
    """Read-only; verifiers and managers approve (an action allowed to approvers, the service
    checks who may); only managers export the payable lines."""

    read_roles = REGISTRY
    write_roles = (Role.MANAGER,)
    list_display = ["pk", "project", "status", "gross", "currency", "gross_pen", "producers_pool",
                    "created_at", "approved_by"]  # fmt: skip
    list_filter = ["project", "status"]
    actions = ["approve", "export_csv", "export_xlsx"]
    change_form_template = "admin/benefits/distribution/change_form.html"

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return within(queryset, selectors.distributions_for(user=request.user))

    def change_view(self, request: HttpRequest, object_id: str, form_url="", extra_context=None):
        """The lines as totals per cooperative and the largest lines (a table from a selector,
        not an inline: one line per family grows with the project); every line is one click
        away in the lines list, filtered to this distribution."""
        distribution = self._object_in_scope(request, object_id)
        lines = selectors.distribution_lines(
            user=request.user, distribution_id=distribution.pk, largest=LARGEST_LINES
        )
        every = reverse("admin:benefits_distributionline_changelist")
        context = {
            **(extra_context or {}),
            "lines": lines,
            "lines_url": f"{every}?distribution__id__exact={distribution.pk}",
        }
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self):
        view = self.admin_site.admin_view
        own = [
            path("new/", view(partial(admin_jobs.new_distribution_view, self)),
                 name="benefits_distribution_new"),
            path("jobs/<int:job_id>/", view(partial(admin_jobs.job_view, self)),
                 name="benefits_distribution_job"),
            path("jobs/<int:job_id>/progress/", view(partial(admin_jobs.job_progress_view, self)),
                 name="benefits_distribution_job_progress"),
        ]  # fmt: skip
        return own + super().get_urls()

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra = {**(extra_context or {}), "can_distribute": scope_for(request.user).manages}
        return super().changelist_view(request, extra)

    @admin.action(description=_("Approve the selected distributions"), permissions=["approve"])
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        for distribution in queryset:
            try:
                services.approve_distribution(distribution_id=distribution.pk, actor=request.user)
            except BenefitsError as exc:
                self.message_user(request, f"#{distribution.pk}: {exc}", messages.ERROR)
            else:
                self.message_user(request, _("#%(id)s approved.") % {"id": distribution.pk})

    def _export(self, request, queryset: QuerySet, fmt: str) -> HttpResponse | None:
        if not scope_for(request.user).manages or queryset.count() != 1:
            self.message_user(request, _("Managers export one distribution at a time."),
                              messages.ERROR)  # fmt: skip
            return None
        distribution = queryset.get()
        data = payments.export_payments(distribution_id=distribution.pk, fmt=fmt)
        response = HttpResponse(data, content_type="application/octet-stream")
        name = f"payments-{distribution.pk}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @admin.action(description=_("Export the payable lines (CSV)"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self._export(request, queryset, "csv")

    @admin.action(description=_("Export the payable lines (XLSX)"))
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self._export(request, queryset, "xlsx")


@admin.register(DistributionLine)
class DistributionLineAdmin(ReadOnlyMixin, ScopedAdmin):
    """Every role reads its families' lines; staff and managers print statements (a write:
    each print records a numbered statement)."""

    write_roles = (Role.MANAGER, Role.STAFF)
    list_display = ["distribution", "smallholder", "units", "share", "held_in_trust",
                    "advance_recovered", "clawed_back", "amount", "status"]  # fmt: skip
    list_filter = ["status", "distribution__project"]
    search_fields = ["smallholder__dni", "smallholder__last_name"]
    actions = ["print_statements"]
    readonly_fields = ["payments_and_reversals"]

    @admin.display(description=_("payments, and the reversals against them"))
    def payments_and_reversals(self, obj: DistributionLine) -> str:
        """The line's payment events, oldest first, then each reversal that touches it."""
        events = format_html_join(
            "", "<li>{} · {} · S/ {} {}</li>",
            ((date_format(e.created_at.date(), "SHORT_DATE_FORMAT"), e.get_status_display(),
              number_format(e.amount, 2, use_l10n=True), e.reference or e.reason)
             for e in obj.events.order_by("created_at", "pk")),
        )  # fmt: skip
        line = DistributionLine.objects.select_related("distribution__policy").get(pk=obj.pk)
        reversals = format_html_join(
            "", "<li>↳ {}</li>",
            ((_reversal_text(r),) for r in reversals_against([line]).get(obj.pk, [])),
        )  # fmt: skip
        return format_html("<ul>{}{}</ul>", events, reversals)

    # newest distribution first, in the order of its unique index: a page of rows, not every
    # line joined and sorted by family name
    ordering = ["-distribution_id", "-smallholder_id"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return within(queryset, selectors.lines_for(user=request.user))

    @admin.action(description=_("Print the families' statements (PDF)"))
    def print_statements(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        html = []
        for line in queryset.select_related("smallholder", "distribution__project")[:50]:
            statement, facts = issue_statement(
                smallholder=line.smallholder, project=line.distribution.project, period=None
            )
            html.append(statement_html(statement, facts))
        body = "".join(html).replace("</html>", "").replace("<!doctype html>", "")
        response = HttpResponse(render_pdf(body), content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="statements.pdf"'
        return response


def _reversal_text(r: ReversalAgainst) -> str:
    return _(
        "Reversal #%(id)s of %(date)s: trees lost on %(parcels)s (%(tonnes)s t in all), covered "
        "by the buffer pool; %(units)s t of this line came from them. Taken back: S/ %(amount)s "
        "(policy: %(policy)s)."
    ) % {
        "id": r.reversal.reversal_id,
        "date": date_format(r.reversal.created_at.date(), "SHORT_DATE_FORMAT"),
        "parcels": ", ".join(r.parcels),
        "tonnes": number_format(r.reversal.quantity_tco2e, 1, use_l10n=True),
        "units": r.units_sold, "amount": number_format(r.taken_back, 2, use_l10n=True),
        "policy": r.clawback_label,
    }  # fmt: skip


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyMixin, ScopedAdmin):
    read_roles = REGISTRY
    write_roles = (Role.MANAGER,)
    list_display = ["line", "status", "amount", "currency", "method", "reference", "paid_on",
                    "actor", "created_at"]  # fmt: skip
    list_filter = ["status", "method"]
    list_select_related = ["line__smallholder", "actor"]  # one query for the page's rows
    # newest first in the primary key's order: a page of rows, not every event joined to its
    # line, distribution and family to be sorted by name (the events' own ordering)
    ordering = ["-pk"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(line__in=selectors.lines_for(user=request.user))


@admin.register(TrustHold)
class TrustHoldAdmin(ReadOnlyMixin, ScopedAdmin):
    read_roles = REGISTRY
    write_roles = (Role.MANAGER,)
    list_display = ["line", "parcel", "amount", "reason", "deadline", "status", "returned_to"]
    list_filter = ["status"]
    actions = ["release"]
    # what the columns show, in one query (not every relation with the parcels' boundaries),
    # newest lines first in index order rather than sorted by family and parcel names
    list_select_related = ["line__smallholder", "parcel", "returned_to__project"]
    ordering = ["-line_id", "parcel_id"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        queryset = queryset.defer("parcel__boundary", "returned_to__project__area")
        return queryset.filter(line__in=selectors.lines_for(user=request.user))

    @admin.action(description=_("Release: the parcel met its target"))
    def release(self, request: HttpRequest, queryset: QuerySet) -> None:
        if not scope_for(request.user).manages:
            self.message_user(request, _("Only managers release shares."), messages.ERROR)
            return
        for hold in queryset:
            try:
                payments.release_trust(hold_id=hold.pk, actor=request.user,
                                       reason=str(_("target met")))  # fmt: skip
            except BenefitsError as exc:
                self.message_user(request, f"{hold}: {exc}", messages.ERROR)


@admin.register(Grievance)
class GrievanceAdmin(ScopedAdmin):
    """Staff file grievances about their families' lines; managers resolve them (the service
    checks); verifiers read."""

    write_roles = (Role.MANAGER, Role.STAFF)
    list_display = ["pk", "line", "status", "filed_by", "filed_at", "resolved_at"]
    list_filter = ["status"]
    raw_id_fields = ["line"]
    fields = ["line", "description", "status", "resolution"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(line__in=selectors.lines_for(user=request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "line":  # another's line is "not a valid choice", as if absent
            kwargs["queryset"] = selectors.lines_for(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Grievance | None = None):
        return ["line", "description"] if obj else ["status", "resolution"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def save_model(self, request, obj: Grievance, form, change: bool) -> None:
        try:
            if change:
                saved = services.resolve_grievance(
                    grievance_id=obj.pk, actor=request.user, status=obj.status,
                    resolution=obj.resolution,
                )  # fmt: skip
            else:
                saved = services.file_grievance(
                    line_id=obj.line_id, actor=request.user, description=obj.description
                )
            obj.pk = saved.pk
        except BenefitsError as exc:
            self.message_user(request, str(exc), messages.ERROR)


@admin.register(StatementBatch)
class StatementBatchAdmin(ScopedAdmin):
    """Staff and managers request their cooperatives' statement batches; verifiers read."""

    write_roles = (Role.MANAGER, Role.STAFF)
    list_display = ["cooperative", "project", "period", "status", "done", "total", "pdf"]
    fields = ["project", "cooperative", "period"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        scope = scope_for(request.user)
        if scope.role == Role.STAFF:
            return queryset.filter(cooperative_id=scope.cooperative_id)
        return queryset.filter(project__in=projects_for(user=request.user))

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return obj is None and self._writes(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "project":
            kwargs["queryset"] = projects_for(user=request.user)
        if db_field.name == "cooperative":
            kwargs["queryset"] = cooperatives_for(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj: StatementBatch, form, change: bool) -> None:
        from benefits.batches import request_statement_batch

        saved = request_statement_batch(project=obj.project, cooperative=obj.cooperative,
                                        period=obj.period, actor=request.user)  # fmt: skip
        obj.pk = saved.pk


admin.site.register(DistributionJob, admin_jobs.DistributionJobAdmin)
