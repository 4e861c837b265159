"""Admin of the ledger itself: serial blocks, events and issuances (read-only)."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from credits import selectors, traceability
from credits.admin.base import RUN_BULK, LedgerAdmin, printed_ranges
from credits.models import Issuance, LedgerEvent, SerialBlock
from credits.serials import SerialFormatError, parse_serial
from pichanaki.exports import csv_response

#: parcels named on a serial block's page (every parcel's share is in its CSV)
LARGEST_SHARES = 10


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
    ]
    readonly_fields = fields
    change_form_template = "admin/credits/serialblock/change_form.html"

    @admin.display(description=_("serials"))
    def printed(self, obj: SerialBlock) -> str:
        return obj.printed_serial

    @admin.display(description=_("split from"))
    def parent_link(self, obj: SerialBlock) -> str:
        if obj.parent_id is None:
            return "—"
        url = reverse("admin:credits_serialblock_change", args=[obj.parent_id])
        return format_html('<a href="{}">#{}</a>', url, obj.parent_id)

    def get_urls(self):
        csv = path(
            "<int:block_id>/parcels.csv",
            self.admin_site.admin_view(self.parcels_csv_view),
            name="credits_serialblock_parcels_csv",
        )
        return [csv, *super().get_urls()]

    def change_view(self, request: HttpRequest, object_id: str, form_url="", extra_context=None):
        """The block's units per cooperative and its largest parcel shares, computed in SQL (a
        block can draw on every parcel of the project); every parcel's share is in the CSV."""
        block = self._object_in_scope(request, object_id)
        context = {
            **(extra_context or {}),
            "provenance": traceability.block_provenance(block=block, largest=LARGEST_SHARES),
            "provenance_csv": reverse("admin:credits_serialblock_parcels_csv", args=[block.pk]),
        }
        return super().change_view(request, object_id, form_url, context)

    def parcels_csv_view(self, request: HttpRequest, block_id: int) -> HttpResponse:
        """Every parcel's units of the block, for those who see the block (out of scope: 404).
        Whoever reads a block reads its issuance's contributions (managers of its project,
        verifiers, superusers), so the split is over all of them, as the ledger's."""
        block = self._object_in_scope(request, str(block_id))
        headers = [
            gettext("parcel"),
            gettext("smallholder"),
            gettext("cooperative"),
            gettext("weight in the issuance (units + buffer units)"),
            gettext("units of this block"),
        ]
        lines = (
            [s.parcel_code, s.smallholder, s.cooperative, s.weight, s.units]
            for s in traceability.block_shares(block=block)
        )
        return csv_response(headers, lines, name=f"serial-block-{block.pk}-parcels")

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


#: parcels listed by name on an issuance's page (the rest are in its totals and its CSV)
LARGEST_CONTRIBUTIONS = 50


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
    change_form_template = "admin/credits/issuance/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # the run's title only: its details (per-parcel JSON) grow with the project
        return super().get_queryset(request).select_related("project", "run").defer(*RUN_BULK)

    def get_urls(self):
        csv = path(
            "<int:issuance_id>/contributions.csv",
            self.admin_site.admin_view(self.contributions_csv_view),
            name="credits_issuance_contributions_csv",
        )
        return [csv, *super().get_urls()]

    def change_view(self, request: HttpRequest, object_id: str, form_url="", extra_context=None):
        """The contributions as totals per cooperative and the largest parcels (a table from a
        selector, not an inline: an inline lists every parcel, and issuances grow with the
        project); every parcel is in the CSV."""
        issuance = self._object_in_scope(request, object_id)
        summary = traceability.issuance_contributions(
            user=request.user, issuance_id=issuance.pk, largest=LARGEST_CONTRIBUTIONS
        )
        csv_url = reverse("admin:credits_issuance_contributions_csv", args=[issuance.pk])
        context = {**(extra_context or {}), "contributions": summary, "contributions_csv": csv_url}
        return super().change_view(request, object_id, form_url, context)

    def contributions_csv_view(self, request: HttpRequest, issuance_id: int) -> HttpResponse:
        """Every parcel's contribution, scoped like the page (out of scope: 404)."""
        issuance = self._object_in_scope(request, str(issuance_id))
        rows = (
            selectors.contributions_for(user=request.user)
            .filter(issuance_id=issuance.pk)
            .select_related("parcel", "smallholder__cooperative")
            .defer("parcel__boundary")
            .order_by("parcel__code")
        )
        headers = [
            gettext("parcel"),
            gettext("smallholder"),
            gettext("cooperative"),
            gettext("units"),
            gettext("buffer units"),
        ]
        lines = (
            [r.parcel.code, str(r.smallholder), str(r.smallholder.cooperative), r.units,
             r.buffer_units]
            for r in rows.iterator(chunk_size=2000)
        )  # fmt: skip
        return csv_response(headers, lines, name=f"issuance-{issuance.pk}-contributions")
