"""Admin of the credit registry: read-only ledger pages and the operation pages for managers.

Nothing in the ledger is added, changed or deleted through model forms: every write is one
service call from an operation page (`credits.admin_operations`), and ledger events cannot be
changed by anyone. Buyer organisations are created with their account by the service.
"""

from django.contrib import admin, messages
from django.db.models import Q, QuerySet, Sum
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

import credits.admin_access  # noqa: F401 (registers the API key admin)
from credits import admin_operations as ops
from credits import selectors, services
from credits.choices import BlockState, ReservationStatus
from credits.exceptions import CreditsError
from credits.forms import BuyerOrganisationForm
from credits.models import (
    Account,
    BuyerOrganisation,
    Conversion,
    CreditVintage,
    Issuance,
    IssuanceContribution,
    LedgerEvent,
    ProjectRegistry,
    Reservation,
    Retirement,
    Reversal,
    Sale,
    SerialBlock,
)
from credits.serials import SerialFormatError, format_range, parse_serial
from smallholders.admin_scoping import ScopedAdmin
from smallholders.choices import Role
from smallholders.models import Project
from smallholders.selectors import projects_for

RUN_BULK = ("run__details", "run__warnings", "project__area")  # large and not shown here


class CreditsAdmin(ScopedAdmin):
    """Base: managers write (through services); rows are scoped to the person's projects."""

    write_roles = (Role.MANAGER,)
    project_path = "project"

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(**{f"{self.project_path}__in": projects_for(user=request.user)})

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        links = (
            ops.operation_links(self.model._meta.model_name)
            if ops.may_operate(request.user)
            else []
        )
        return super().changelist_view(request, {**(extra_context or {}), "operations": links})

    def get_urls(self):
        own = [
            path(
                f"{op.name}/" if not op.on_reservation else f"<int:reservation_id>/{op.name}/",
                self.admin_site.admin_view(self._operation(op.name)),
                name=ops.url_name(op),
            )
            for op in ops.OPERATIONS.values()
            if op.model_name == self.model._meta.model_name
        ]
        return own + super().get_urls()

    def _operation(self, name: str):
        def view(request: HttpRequest, reservation_id: int | None = None):
            return ops.operation_view(self, request, name, reservation_id)

        return view


class LedgerAdmin(CreditsAdmin):
    """Ledger rows change only through the services: no add, change or delete pages."""

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def printed_ranges(project, unit_type: str, vintage: int, ranges: list) -> str:
    registry = getattr(project, "registry", None)
    if registry is None:
        return ", ".join(f"{start}–{end}" for start, end in ranges)
    return ", ".join(
        format_range(
            prefix=registry.prefix,
            country=project.country,
            project_number=registry.number,
            unit_type=unit_type,
            vintage=vintage,
            start=start,
            end=end,
        )
        for start, end in ranges
    )


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
        scoped = queryset.filter(pk__in=selectors.accounts_for(user=request.user).values("pk"))
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


@admin.register(SerialBlock)
class SerialBlockAdmin(LedgerAdmin):
    list_display = ["printed", "quantity", "state", "account", "parent_link", "created_at"]
    list_filter = ["state", "unit_type", "vintage", "project", "account__kind"]
    list_select_related = ["project__registry", "account__organisation", "account__project"]
    search_fields = ["account__organisation__name"]
    search_help_text = _("A printed serial (e.g. PCH-PE-001-VER-2012-000000042) or a buyer.")
    fields = [
        "printed",
        "project",
        "unit_type",
        "vintage",
        "serial_start",
        "serial_end",
        "quantity",
        "state",
        "account",
        "issuance",
        "parent_link",
        "reservation",
        "retirement",
        "created_event",
        "superseded_event",
        "created_at",
        "parcels",
    ]
    readonly_fields = fields

    @admin.display(description=_("serials"))
    def printed(self, obj: SerialBlock) -> str:
        return obj.printed_serial

    @admin.display(description=_("split from"))
    def parent_link(self, obj: SerialBlock) -> str:
        if obj.parent_id is None:
            return "—"
        url = reverse("admin:credits_serialblock_change", args=[obj.parent_id])
        return format_html('<a href="{}">#{}</a>', url, obj.parent_id)

    @admin.display(description=_("parcels (pro rata)"))
    def parcels(self, obj: SerialBlock) -> str:
        return (
            format_html_join(
                ", ", "{}: {}", ((c.parcel_id, c.units) for c in selectors.trace_block(obj))
            )
            or "—"
        )

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        """A printed serial finds the blocks (live and past) containing it."""
        try:
            serial = parse_serial(search_term)
        except SerialFormatError:
            return super().get_search_results(request, queryset, search_term)
        found = queryset.filter(
            project__registry__number=serial.project_number,
            project__registry__prefix=serial.prefix,
            unit_type=serial.unit_type,
            vintage=serial.vintage,
            serial_start__lte=serial.start,
            serial_end__gte=serial.end,
        )
        return found, False


@admin.register(LedgerEvent)
class LedgerEventAdmin(LedgerAdmin):
    list_display = [
        "created_at",
        "kind",
        "project",
        "unit_type",
        "vintage",
        "quantity",
        "from_account",
        "to_account",
        "actor_label",
    ]
    list_filter = ["kind", "project", "unit_type", "vintage"]
    list_select_related = [
        "project",
        "from_account__organisation",
        "from_account__project",
        "to_account__organisation",
        "to_account__project",
    ]
    search_fields = ["actor_label", "reason"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "kind",
        "project",
        "unit_type",
        "vintage",
        "quantity",
        "from_account",
        "to_account",
        "printed_serials",
        "actor_label",
        "reason_shown",
        "reference",
    ]
    readonly_fields = fields

    @admin.display(description=_("reason"))
    def reason_shown(self, obj: LedgerEvent) -> str:
        return gettext(obj.reason) if obj.reason else "—"  # system reasons are stored as msgids

    @admin.display(description=_("serials"))
    def printed_serials(self, obj: LedgerEvent) -> str:
        return printed_ranges(obj.project, obj.unit_type, obj.vintage, obj.serials) or "—"


class ContributionInline(admin.TabularInline):
    model = IssuanceContribution
    fields = ["parcel", "smallholder", "tonnes"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description=_("tonnes (tCO2e)"))
    def tonnes(self, obj: IssuanceContribution) -> int:
        return obj.units + obj.buffer_units

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("parcel", "smallholder")

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return True  # shown only on an issuance page, which is already scoped

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Issuance)
class IssuanceAdmin(LedgerAdmin):
    list_display = [
        "issued_at",
        "project",
        "unit_type",
        "vintage",
        "quantity",
        "buffer_quantity",
        "run",
    ]
    list_filter = ["project", "unit_type", "vintage"]
    list_select_related = ["project", "run"]
    search_fields = ["project__name", "project__code"]
    fields = list_display + ["event"]
    readonly_fields = fields
    inlines = [ContributionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # the run's title only: its details (per-parcel JSON) grow with the project
        return super().get_queryset(request).select_related("project", "run").defer(*RUN_BULK)


@admin.register(Reservation)
class ReservationAdmin(LedgerAdmin):
    list_display = [
        "id",
        "account",
        "project",
        "unit_type",
        "vintage",
        "quantity",
        "status",
        "expires_at",
        "created_at",
    ]
    list_filter = ["status", "project", "unit_type", "vintage"]
    list_select_related = ["project", "account__organisation"]
    search_fields = ["account__organisation__name"]
    fields = list_display + ["closed_at", "reserved_serials"]
    readonly_fields = fields
    actions = ["release_selected"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(
            pk__in=selectors.reservations_for(user=request.user).values("pk"),
            project__in=projects_for(user=request.user),
        )

    @admin.display(description=_("reserved serials"))
    def reserved_serials(self, obj: Reservation) -> str:
        blocks = obj.blocks.filter(state=BlockState.RESERVED).select_related("project__registry")
        return ", ".join(b.printed_serial for b in blocks) or "—"

    def change_view(self, request: HttpRequest, object_id: str, form_url="", extra_context=None):
        reservation = self.get_object(request, object_id)
        pending = reservation is not None and reservation.status == ReservationStatus.PENDING
        actions = []
        if pending and ops.may_operate(request.user):
            actions = [
                (reverse(f"admin:{ops.url_name(op)}", args=[reservation.pk]), op.title)
                for op in ops.OPERATIONS.values()
                if op.on_reservation
            ]
        context = {**(extra_context or {}), "reservation_operations": actions}
        return super().change_view(request, object_id, form_url, context)

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        if not ops.may_operate(request.user):
            actions.pop("release_selected", None)
        return actions

    @admin.action(description=_("Release the selected pending reservations"))
    def release_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        released = 0
        for reservation in queryset.filter(status=ReservationStatus.PENDING):
            if not selectors.manages_project(user=request.user, project_id=reservation.project_id):
                continue
            try:
                services.release_reservation(reservation_id=reservation.pk, actor=request.user)
            except CreditsError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                released += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d reservation released.", "%(count)d reservations released.", released
            )
            % {"count": released},
        )


@admin.register(Sale)
class SaleAdmin(LedgerAdmin):
    list_display = [
        "sold_at",
        "account",
        "project",
        "quantity",
        "price_per_tonne",
        "currency",
        "invoice_reference",
    ]
    list_filter = ["currency", "reservation__project"]
    list_select_related = ["account__organisation", "reservation__project"]
    search_fields = ["invoice_reference", "account__organisation__name"]
    fields = list_display + ["reservation", "total", "event"]
    readonly_fields = fields
    project_path = "reservation__project"

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        scoped = super().scope_queryset(request, queryset)
        return scoped.filter(account__in=selectors.accounts_for(user=request.user))

    @admin.display(description=_("project"))
    def project(self, obj: Sale) -> str:
        return str(obj.reservation.project)

    @admin.display(description=_("total"))
    def total(self, obj: Sale) -> str:
        return f"{obj.total} {obj.currency}"


@admin.register(Retirement)
class RetirementAdmin(LedgerAdmin):
    list_display = [
        "retired_on",
        "beneficiary",
        "account",
        "project",
        "unit_type",
        "vintage",
        "quantity",
        "certificate",
    ]
    list_filter = ["project", "vintage", "retired_on"]
    list_select_related = ["project", "account__organisation", "account__project"]
    search_fields = ["beneficiary", "purpose", "verification_code"]
    fields = [
        "retired_on",
        "beneficiary",
        "purpose",
        "account",
        "project",
        "unit_type",
        "vintage",
        "quantity",
        "retired_serials",
        "verification_code",
        "certificate",
        "created_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("certificate"))
    def certificate(self, obj: Retirement) -> str:
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("credits:verify", args=[obj.verification_code]),
            _("verification page"),
            reverse("credits:certificate", args=[obj.verification_code]),
            _("certificate (PDF)"),
        )

    @admin.display(description=_("retired serials"))
    def retired_serials(self, obj: Retirement) -> str:
        blocks = obj.blocks.select_related("project__registry")
        return ", ".join(b.printed_serial for b in blocks) or "—"


@admin.register(Reversal)
class ReversalAdmin(LedgerAdmin):
    list_display = [
        "created_at",
        "project",
        "quantity_tco2e",
        "units_cancelled",
        "shortfall",
        "recorded_by",
    ]
    list_filter = ["project"]
    list_select_related = ["project", "recorded_by"]
    search_fields = ["reason"]
    fields = list_display + ["parcel_codes", "reason"]
    readonly_fields = fields

    @admin.display(description=_("parcels"))
    def parcel_codes(self, obj: Reversal) -> str:
        return ", ".join(obj.parcels.order_by("code").values_list("code", flat=True)) or "—"


@admin.register(Conversion)
class ConversionAdmin(LedgerAdmin):
    list_display = [
        "created_at",
        "project",
        "vintage",
        "account",
        "ex_ante_cancelled",
        "verified_delivered",
        "shortfall",
        "run",
    ]
    list_filter = ["project", "vintage"]
    list_select_related = ["project", "account__organisation", "account__project", "run"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("project", "run").defer(*RUN_BULK)
    search_fields = ["account__organisation__name"]
    fields = list_display
    readonly_fields = fields
