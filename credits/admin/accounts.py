"""Admin of the registry's identity and holdings: project registries, buyers, accounts, vintages."""

from django.contrib import admin, messages
from django.db.models import Q, QuerySet, Sum
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from credits import admin_operations as ops
from credits import selectors, services
from credits.admin.base import CreditsAdmin, LedgerAdmin
from credits.choices import BlockState
from credits.forms import BuyerOrganisationForm
from credits.models import (
    Account,
    BuyerOrganisation,
    CreditVintage,
    ProjectRegistry,
)
from smallholders.admin_scoping import within
from smallholders.models import Project
from smallholders.selectors import projects_for


@admin.register(ProjectRegistry)
class ProjectRegistryAdmin(CreditsAdmin):
    list_display = ["__str__", "project", "prefix", "number", "created_at"]
    list_select_related = ["project"]
    search_fields = ["project__name", "project__code", "prefix"]
    fields = ["project", "prefix", "number", "created_at"]
    readonly_fields = ["created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: ProjectRegistry | None = None):
        if obj is not None and CreditVintage.objects.filter(project_id=obj.project_id).exists():
            return ["project", "prefix", "number", "created_at"]  # printed in issued serials
        return super().get_readonly_fields(request, obj)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "project":
            kwargs["queryset"] = projects_for(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(BuyerOrganisation)
class BuyerOrganisationAdmin(CreditsAdmin):
    form = BuyerOrganisationForm
    list_display = ["name", "country", "contact_name", "contact_email", "created_at"]
    list_filter = ["country"]
    search_fields = ["name", "contact_name", "contact_email"]
    readonly_fields = ["account_link", "created_at"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        accounts = selectors.accounts_for(user=request.user)
        return queryset.filter(account__in=accounts)

    @admin.display(description=_("account"))
    def account_link(self, obj: BuyerOrganisation) -> str:
        account = Account.objects.filter(organisation=obj).first()
        if account is None:
            return "—"
        url = reverse("admin:credits_account_change", args=[account.pk])
        return format_html('<a href="{}">{}</a>', url, _("balances and holdings"))

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # its account and ledger history refer to it

    def save_model(self, request: HttpRequest, obj: BuyerOrganisation, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.create_buyer_organisation(
            name=obj.name,
            country=obj.country,
            contact_name=obj.contact_name,
            contact_email=obj.contact_email,
            actor=request.user,
        )
        obj.pk, obj.created_at, obj._state.adding = created.pk, created.created_at, False
        messages.info(request, _("The organisation's ledger account was created."))


@admin.register(Account)
class AccountAdmin(LedgerAdmin):
    list_display = ["__str__", "kind", "project", "organisation", "active_units", "created_at"]
    list_filter = ["kind", "project"]
    list_select_related = ["project", "organisation"]
    search_fields = ["organisation__name", "project__name", "project__code"]
    fields = ["kind", "project", "organisation", "created_at", "balances"]
    readonly_fields = fields

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        scoped = within(queryset, selectors.accounts_for(user=request.user))
        return scoped.annotate(
            active_total=Sum("blocks__quantity", filter=Q(blocks__state=BlockState.ACTIVE))
        )

    @admin.display(description=_("active units"), ordering="active_total")
    def active_units(self, obj: Account) -> int:
        return obj.active_total or 0

    @admin.display(description=_("balances (active units)"))
    def balances(self, obj: Account) -> str:
        rows = selectors.balances_for(account=obj)
        if not rows:
            return _("No active units.")
        names = dict(
            Project.objects.filter(pk__in={r["project_id"] for r in rows}).values_list("pk", "name")
        )
        header = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            _("project"),
            _("unit type"),
            _("vintage"),
            _("quantity"),
        )
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (names.get(r["project_id"]), r["unit_type"], r["vintage"], r["quantity"])
                for r in rows
            ),
        )
        return format_html("<table>{}{}</table>", header, body)


@admin.register(CreditVintage)
class CreditVintageAdmin(LedgerAdmin):
    list_display = [
        "project",
        "unit_type",
        "vintage",
        "issued",
        "available",
        "reserved",
        "held",
        "buffer",
        "retired",
        "cancelled",
    ]
    list_filter = ["project", "unit_type", "vintage"]
    list_select_related = ["project"]
    search_fields = ["project__name", "project__code"]
    fields = list_display + ["next_serial"]
    readonly_fields = fields

    def get_urls(self):
        index = path(
            "operations/",
            self.admin_site.admin_view(lambda request: ops.operations_index(self, request)),
            name="credits_operations",
        )
        return [index, *super().get_urls()]
