"""Admin of the ledger itself: serial blocks, events and issuances (read-only)."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from credits import selectors, traceability
from credits.admin.base import RUN_BULK, LedgerAdmin, printed_ranges
from credits.models import Issuance, LedgerEvent, SerialBlock
from credits.serials import SerialFormatError, parse_serial
from pichanaki.exports import csv_response
from pichanaki.numbers import units

#: parcels named on a serial block's page (its share of every parcel is in the CSV)
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
        """The largest shares only (a block can draw on every parcel of the project); every
        parcel's contribution is in the issuance's CSV."""
        shares = [c for c in selectors.trace_block(obj) if c.units]
        if not shares:
            return "—"
        largest = sorted(shares, key=lambda c: (-c.units, c.parcel_id))[:LARGEST_SHARES]
        shown = format_html_join(", ", "{}: {}", ((c.parcel_id, units(c.units)) for c in largest))
        if len(shares) == len(largest):
            return shown
        csv_url = reverse("admin:credits_issuance_contributions_csv", args=[obj.issuance_id])
        rest = len(shares) - len(largest)
        more = ngettext("and %(n)s more parcel", "and %(n)s more parcels", rest)
        return format_html(
            '{} {} (<a href="{}">{}</a>)',
            shown,
            more % {"n": units(rest)},
            csv_url,
            gettext("every parcel (CSV)"),
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
