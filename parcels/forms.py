"""Forms and the map widget for field data; validation comes from `parcels.geo`/`validation`."""

from django import forms
from django.contrib.admin.helpers import ActionForm
from django.contrib.gis.forms.widgets import OSMWidget
from django.utils.translation import gettext_lazy as _

from parcels import geo, services
from parcels.exceptions import BoundaryLocked
from parcels.models import Parcel, Planting


class ParcelMapWidget(OSMWidget):
    """GeoDjango's OpenLayers editor, served from our static files (no CDN), on Pichanaki."""

    default_lon = -74.87
    default_lat = -10.93
    default_zoom = 12

    class Media:
        extend = False
        css = {"all": ("vendor/ol/ol.css", "gis/css/ol3.css")}
        js = ("vendor/ol/ol.js", "gis/js/OLMapWidget.js")


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
        widgets = {"boundary": ParcelMapWidget(), "eligibility_file": forms.FileInput()}

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
        overlaps = geo.find_overlaps(
            self.instance.boundary, project_id=self.instance.project_id, exclude_id=self.instance.pk
        )
        if overlaps:  # checked again under the project lock when saving (services.save_parcel)
            self._update_errors(geo.overlap_error(overlaps))


class PlantingForm(forms.ModelForm):
    """A planting row; adds the species' planting-density check to the model's own checks."""

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
            services.check_density(planting=instance)
        except forms.ValidationError as exc:
            self._update_errors(exc)


class RejectActionForm(ActionForm):
    """The admin's action bar, with the reason a rejection needs."""

    reason = forms.CharField(label=_("Reason (for rejections)"), required=False)
