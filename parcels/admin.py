"""Admin for field data: scoped like the API, saved through the services' checks."""

from django.contrib import admin, messages
from django.contrib.gis.db import models as gis_models
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from parcels import selectors, services
from parcels.exceptions import BoundaryLocked, InvalidTransition
from parcels.forms import MonitoringPlotForm, ParcelForm, PlantingForm, RejectActionForm
from parcels.models import (
    MonitoringPlot,
    Parcel,
    Planting,
    Species,
    Stratum,
    SurvivalCount,
    TreeMeasurement,
)
from pichanaki.exports import export_csv_action
from pichanaki.maps import MapAdminMixin, MapWidget, readonly_map
from pichanaki.numbers import number
from smallholders.admin import SmallholderAdmin
from smallholders.admin_scoping import ScopedAdmin, within
from smallholders.choices import Role
from smallholders.selectors import projects_for, smallholders_for


class ScopedInlineMixin:
    """Inlines follow the parent admin's role rules."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.admin_site._registry[self.parent_model]._writes(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.admin_site._registry[self.parent_model]._writes(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.admin_site._registry[self.parent_model]._writes(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.admin_site._registry[self.parent_model]._reads(request)


class SpeciesOnceInlineMixin:
    """The species of every row from one query: a select filled once for the whole formset
    (an autocomplete widget looks its selected species up again for every row)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "species":
            field.choices = list(field.choices)
        return field


class PlantingInline(SpeciesOnceInlineMixin, ScopedInlineMixin, admin.TabularInline):
    model = Planting
    form = PlantingForm
    fk_name = "parcel"
    extra = 0
    fields = ["species", "planted_on", "trees_planted", "arrangement", "survival", "notes"]
    readonly_fields = ["survival"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # every row shows its title (parcel · species) and survival counts: one query each
        # for all rows, not one per row (the parcel without its boundary, which is not shown)
        queryset = super().get_queryset(request).select_related("species", "parcel")
        return queryset.defer("parcel__boundary").prefetch_related("survival_counts")

    @admin.display(description=_("survival counts"))
    def survival(self, obj: Planting) -> str:
        if obj.pk is None:
            return "—"
        counts = ", ".join(
            f"{c.counted_on:%d/%m/%Y}: {c.trees_alive}" for c in obj.survival_counts.all()
        )
        url = reverse("admin:parcels_planting_change", args=[obj.pk])
        return format_html('{} <a href="{}">{}</a>', counts or "—", url, _("edit counts"))


class SurvivalCountInline(ScopedInlineMixin, admin.TabularInline):
    model = SurvivalCount
    extra = 0
    fields = ["counted_on", "trees_alive"]


#: stems edited on a plot's page, in index order; all of them are on the measurements' list
TREES_SHOWN = 20


class FirstTreesFormSet(BaseInlineFormSet):
    """The plot's first TREES_SHOWN stems only: its page stays one page of rows however many
    stems a visit measured (a form per stem, each with its species select, is the page's cost).
    A posted row outside them is not the plot's shown row and is not saved (as an unknown id)."""

    def get_queryset(self) -> QuerySet:
        if not hasattr(self, "_queryset"):
            self._queryset = super().get_queryset()[:TREES_SHOWN]
        return self._queryset


class TreeMeasurementInline(SpeciesOnceInlineMixin, ScopedInlineMixin, admin.TabularInline):
    model = TreeMeasurement
    formset = FirstTreesFormSet
    extra = 0
    fields = ["tree_tag", "stem", "species", "dbh_cm", "height_m", "status", "origin", "notes"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("species")


class FieldDataAdmin(ScopedAdmin):
    """Common base: CSV export of the (filtered) list, in the active language."""

    actions = [export_csv_action]


class ThroughServicesMixin:
    """Field rows and their inline rows saved by parcels.services.save_field_record (one row
    through the concept's bulk service, the one door), never by save(): their forms ran the
    same checks first, so the errors are on the fields."""

    def save_model(self, request: HttpRequest, obj: Model, form: object, change: bool) -> None:
        services.save_field_record(record=obj)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        for row in formset.save(commit=False):  # the rows the form changed, unsaved
            services.save_field_record(record=row)
        for row in formset.deleted_objects:
            row.delete()


@admin.register(Species)
class SpeciesAdmin(FieldDataAdmin):
    write_roles = (Role.MANAGER,)
    menu_roles = (Role.MANAGER, Role.VERIFIER)  # technicians read it through autocomplete
    list_display = [
        "code",
        "scientific_name",
        "common_name_es",
        "family",
        "native_to_peru",
        "growth_form",
        "wood_density",
        "wood_density_level",
    ]
    list_filter = ["native_to_peru", "growth_form", "growth_group", "wood_density_level", "family"]
    search_fields = ["code", "scientific_name", "common_name_es", "common_name_en", "local_names"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset  # the catalogue is shared by every project


@admin.register(Stratum)
class StratumAdmin(FieldDataAdmin):
    write_roles = (Role.MANAGER,)
    menu_roles = (Role.MANAGER, Role.VERIFIER)  # a parcel's stratum is chosen on its form
    list_display = ["code", "name", "project"]
    list_filter = ["project"]
    list_select_related = ["project"]
    search_fields = ["code", "name"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return within(queryset, selectors.strata_for(user=request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "project":
            kwargs["queryset"] = projects_for(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Parcel)
class ParcelAdmin(ThroughServicesMixin, MapAdminMixin, FieldDataAdmin):
    form = ParcelForm
    map_fields = {"boundary": "boundary_map"}
    action_form = RejectActionForm
    actions = ["submit", "validate", "reject", export_csv_action]
    inlines = [PlantingInline]
    list_display = [
        "code",
        "name",
        "smallholder",
        "cooperative",
        "area_ha",
        "status",
        "stratum",
        "project",
    ]
    list_filter = ["status", "project", "smallholder__cooperative", "land_use_before", "stratum"]
    list_select_related = ["smallholder", "smallholder__cooperative", "stratum", "project"]
    search_fields = ["code", "name", "smallholder__last_name", "smallholder__first_name"]
    readonly_fields = ["project", "area_ha", "area_epsg", "status", "rejection_reason", "evidence"]
    autocomplete_fields = ["smallholder"]
    # in the order of the (project, code) unique index: a page of rows, not every parcel
    # joined to its project and sorted by the project's name (the parcels' own ordering)
    ordering = ["project_id", "code"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return within(queryset, selectors.parcels_for(user=request.user))

    @admin.display(description=_("cooperative"), ordering="smallholder__cooperative__name")
    def cooperative(self, obj: Parcel) -> str:
        return str(obj.smallholder.cooperative)

    @admin.display(description=_("boundary"))
    def boundary_map(self, obj: Parcel) -> str:
        return readonly_map(obj.boundary, label=_("Map of the parcel boundary"))

    @admin.display(description=_("eligibility evidence"))
    def evidence(self, obj: Parcel) -> str:
        if not obj.pk or not obj.eligibility_file:
            return "—"
        url = reverse("parcels:eligibility-file", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("download"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "smallholder":
            kwargs["queryset"] = smallholders_for(user=request.user)
        if db_field.name == "stratum":
            kwargs["queryset"] = selectors.strata_for(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Parcel, form, change: bool) -> None:
        # The form already ran every check; save_parcel re-checks overlaps under the lock.
        services.save_parcel(parcel=obj)

    def _transition(self, request: HttpRequest, queryset: QuerySet, **call) -> None:
        done = 0
        for parcel in queryset:
            try:
                call["service"](parcel_id=parcel.pk, actor=request.user, **call.get("extra", {}))
                done += 1
            except (InvalidTransition, BoundaryLocked, PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"{parcel.code}: {_message(exc)}", messages.ERROR)
        if done:
            self.message_user(
                request, _("%(count)s parcels updated.") % {"count": done}, messages.SUCCESS
            )

    @admin.action(description=_("Submit selected parcels for validation"))
    def submit(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._transition(request, queryset, service=services.submit_parcel)

    @admin.action(description=_("Validate selected parcels (managers)"))
    def validate(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._transition(request, queryset, service=services.validate_parcel)

    @admin.action(description=_("Reject selected parcels with the reason given (managers)"))
    def reject(self, request: HttpRequest, queryset: QuerySet) -> None:
        reason = request.POST.get("reason", "")
        self._transition(
            request, queryset, service=services.reject_parcel, extra={"reason": reason}
        )


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


@admin.register(Planting)
class PlantingAdmin(ThroughServicesMixin, FieldDataAdmin):
    form = PlantingForm
    inlines = [SurvivalCountInline]
    list_display = ["parcel", "species", "planted_on", "trees_planted", "arrangement"]
    list_filter = ["arrangement", "species", "parcel__project", "parcel__smallholder__cooperative"]
    list_select_related = ["parcel", "species"]
    search_fields = ["parcel__code", "species__scientific_name", "species__common_name_es"]
    autocomplete_fields = ["parcel", "species", "replanting_of"]
    date_hierarchy = "planted_on"
    # The parcel's id, not its own ordering (project name, code): a page of rows read in index
    # order, not every planting joined and sorted by text. Boundaries are not shown.
    ordering = ["parcel_id", "planted_on"]

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        queryset = queryset.defer("parcel__boundary")
        return within(queryset, selectors.plantings_for(user=request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parcel":
            kwargs["queryset"] = selectors.parcels_for(user=request.user)
        if db_field.name == "replanting_of":
            kwargs["queryset"] = selectors.plantings_for(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(MonitoringPlot)
class MonitoringPlotAdmin(ThroughServicesMixin, MapAdminMixin, FieldDataAdmin):
    form = MonitoringPlotForm
    map_fields = {"centre": "centre_map"}
    inlines = [TreeMeasurementInline]
    list_display = ["code", "parcel", "measured_on", "radius_m", "area_m2", "team"]
    list_filter = ["permanent", "parcel__project", "parcel__smallholder__cooperative"]
    list_select_related = ["parcel"]
    search_fields = ["code", "parcel__code", "team"]
    autocomplete_fields = ["parcel"]
    date_hierarchy = "measured_on"
    ordering = ["parcel_id", "code", "measured_on"]  # in index order, as plantings
    fields = [
        "parcel",
        "code",
        "centre",
        "radius_m",
        "slope_pct",
        "area_m2",
        "measured_on",
        "team",
        "permanent",
        "notes",
        "trees_summary",
    ]
    readonly_fields = ["trees_summary"]
    formfield_overrides = {gis_models.PointField: {"widget": MapWidget}}

    def get_fields(self, request: HttpRequest, obj: MonitoringPlot | None = None) -> list:
        fields = super().get_fields(request, obj)
        return fields if obj is not None else [f for f in fields if f != "trees_summary"]

    @admin.display(description=_("tree measurements"))
    def trees_summary(self, obj: MonitoringPlot) -> str:
        """How many stems the visit measured, and a link to all of them (the rows below are
        only the first TREES_SHOWN)."""
        count = obj.trees.count()
        url = reverse("admin:parcels_treemeasurement_changelist") + f"?plot__id__exact={obj.pk}"
        text = ngettext("%(count)s stem measured", "%(count)s stems measured", count) % {
            "count": number(count)
        }
        if count > TREES_SHOWN:
            text += " · " + gettext("the first %(shown)s below") % {"shown": number(TREES_SHOWN)}
        return format_html('{} · <a href="{}">{}</a>', text, url, _("every stem in the list"))

    @admin.display(description=_("centre"))
    def centre_map(self, obj: MonitoringPlot) -> str:
        return readonly_map(obj.centre, label=_("Map of the plot centre"))

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return within(queryset, selectors.plots_for(user=request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parcel":
            kwargs["queryset"] = selectors.parcels_for(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(TreeMeasurement)
class TreeMeasurementAdmin(ThroughServicesMixin, FieldDataAdmin):
    list_display = ["tree_tag", "stem", "plot", "species", "dbh_cm", "height_m", "status"]
    list_filter = ["status", "origin", "species", "plot__parcel__smallholder__cooperative"]
    list_select_related = ["plot", "species"]
    search_fields = ["tree_tag", "plot__code", "plot__parcel__code", "species__scientific_name"]
    autocomplete_fields = ["plot", "species"]
    ordering = ["plot_id", "tree_tag", "stem"]  # in index order, as plantings

    def scope_queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return within(queryset, selectors.tree_measurements_for(user=request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "plot":
            kwargs["queryset"] = selectors.plots_for(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ParcelReadOnlyInline(admin.TabularInline):
    """The smallholder's parcels, for reading; parcels are edited on their own page."""

    model = Parcel
    extra = 0
    fields = ["parcel_link", "name", "area_ha", "status"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    @admin.display(description=_("code"))
    def parcel_link(self, obj: Parcel) -> str:
        url = reverse("admin:parcels_parcel_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.code)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return True


# smallholders must not import parcels, so the parcels inline is attached from here.
SmallholderAdmin.inlines = [*SmallholderAdmin.inlines, ParcelReadOnlyInline]
