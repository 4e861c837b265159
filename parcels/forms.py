"""Forms and the map widget for field data; validation comes from `parcels.geo`/`validation`."""

from django import forms
from django.contrib.admin.helpers import ActionForm
from django.utils.translation import gettext_lazy as _

from parcels import bulk, bulk_monitoring, geo, overlaps, services
from parcels.exceptions import BoundaryLocked
from parcels.models import MonitoringPlot, Parcel, Planting
from pichanaki.maps import MapWidget


class ParcelForm(forms.ModelForm):
    """Draw or edit a parcel; the project follows the owner, area and status are derived."""

    class Meta:
        model = Parcel
        fields = [
            "smallholder",
            "code",
            "name",
            "boundary",
            "land_use_before",
            "stratum",
            "eligibility_no_forest",
            "eligibility_note",
            "eligibility_file",
        ]
        widgets = {"boundary": MapWidget(), "eligibility_file": forms.FileInput()}

    def clean(self) -> dict:
        cleaned = super().clean()
        owner = cleaned.get("smallholder")
        if owner is not None:
            self.instance.project_id = owner.project_id
        boundary = cleaned.get("boundary")
        if boundary is not None:
            cleaned["boundary"] = geo.as_multipolygon(boundary)
        return cleaned

    def _post_clean(self) -> None:
        super()._post_clean()  # Parcel.clean(): validity, project area, plausible size
        if self.errors or self.instance.boundary is None:
            return
        try:
            services.check_boundary_editable(parcel=self.instance)
        except BoundaryLocked as exc:
            self.add_error("boundary", forms.ValidationError(str(exc), code="boundary_locked"))
            return
        found = overlaps.find_overlaps(
            self.instance.boundary, project_id=self.instance.project_id, exclude_id=self.instance.pk
        )
        if found:  # checked again under the parcel lock when saving (services.save_parcel)
            self._update_errors(geo.overlap_error(found))


class PlantingForm(forms.ModelForm):
    """A planting row, checked as record_plantings checks it (validate_planting: at least one
    tree, the species' planting densities), so its save (parcels.services) finds no error."""

    class Meta:
        model = Planting
        fields = [
            "parcel",
            "species",
            "planted_on",
            "trees_planted",
            "arrangement",
            "replanting_of",
            "notes",
        ]

    def _post_clean(self) -> None:
        super()._post_clean()
        instance = self.instance
        if self.errors or instance.parcel_id is None or instance.species_id is None:
            return
        try:
            bulk.validate_planting(instance)
        except forms.ValidationError as exc:
            self._update_errors(exc)


class MonitoringPlotForm(forms.ModelForm):
    """A plot visit, checked as record_monitoring_plots checks it (monitoring_plot_errors: the
    centre inside the parcel, not before its first planting), its errors on the fields."""

    class Meta:
        model = MonitoringPlot
        fields = ["parcel", "code", "centre", "radius_m", "slope_pct", "area_m2", "measured_on"]

    def _post_clean(self) -> None:
        super()._post_clean()  # the model's own checks, the visit unique: none repeated below
        if self.errors or self.instance.parcel_id is None:
            return
        errors = bulk_monitoring.monitoring_plot_errors([self.instance])
        if errors:
            self._update_errors(errors[1])


class RejectActionForm(ActionForm):
    """The admin's action bar, with the reason a rejection needs."""

    reason = forms.CharField(label=_("Reason (for rejections)"), required=False)
