"""Admin of reservations, sales, retirements, reversals and conversions (read-only pages)."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from credits import admin_operations as ops
from credits import selectors, services
from credits.admin.base import RUN_BULK, LedgerAdmin
from credits.choices import BlockState, ReservationStatus
from credits.exceptions import CreditsError
from credits.models import (
    Conversion,
    Reservation,
    Retirement,
    Reversal,
    Sale,
)
from smallholders.admin_scoping import within
from smallholders.selectors import projects_for


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
        reservations = within(queryset, selectors.reservations_for(user=request.user))
        return reservations.filter(project__in=projects_for(user=request.user))

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
    search_fields = ["account__organisation__name"]
    fields = list_display
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("project", "run").defer(*RUN_BULK)
