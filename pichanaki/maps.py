"""Maps of the admin and the registry: OpenLayers from our own static files, no tile server.

Nothing on a page may load from another host (offline field offices, privacy), so the editor
and the read-only map draw the geometry on a plain background instead of OpenStreetMap tiles.
"""

from django import forms
from django.contrib.gis.forms import OSMWidget
from django.contrib.gis.geos import GEOSGeometry
from django.utils.html import format_html
from django.utils.translation import gettext as _

OL_CSS = "vendor/ol/ol.css"
OL_JS = "vendor/ol/ol.js"


class MapWidget(OSMWidget):
    """GeoDjango's OpenLayers editor on a blank base layer, centred on Pichanaki."""

    template_name = "gis/pichanaki_map.html"
    default_lon = -74.87
    default_lat = -10.93
    default_zoom = 12

    class Media:
        extend = False
        css = {"all": (OL_CSS, "gis/css/ol3.css", "css/maps.css")}
        js = (OL_JS, "gis/js/OLMapWidget.js")


READONLY_MAP_MEDIA = forms.Media(css={"all": (OL_CSS, "css/maps.css")}, js=(OL_JS, "js/maps.js"))


def readonly_map(geometry: GEOSGeometry | None, *, label: str = "") -> str:
    """A map showing `geometry` that cannot be edited (js/maps.js draws it); one line of HTML,
    because the admin turns newlines of read-only values into <br>."""
    if geometry is None:
        return "—"
    return format_html(
        '<div class="readonly-map" role="img" aria-label="{}" data-geojson="{}"></div>',
        label or _("Map"),
        geometry.geojson,
    )


class MapAdminMixin:
    """Geometry fields edited on `MapWidget`; people who may only view see `readonly_map`.

    `map_fields` maps a geometry field to the admin display method shown instead of it when
    the change form is read-only (otherwise the admin prints the raw EWKT text).
    """

    map_fields: dict[str, str] = {}

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        return [
            (title, {**options, "fields": [self._shown(name) for name in options["fields"]]})
            for title, options in fieldsets
        ]

    def _shown(self, name):
        return self.map_fields.get(name, name) if isinstance(name, str) else name

    @property
    def media(self):
        return super().media + READONLY_MAP_MEDIA
