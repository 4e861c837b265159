"""GEOS validity reasons in words staff can read, in their language, with the location.

The one translation of GEOS's ``valid_reason`` (``Self-intersection[-74.88 -10.93]``): used by
the file readers (:func:`parcels.importing.readers.geometry.build_multipolygon`) and by the parcel
checks that forms, the API and the importers share (:func:`parcels.geo.invalid_geometry_error`).
"""

from __future__ import annotations

import re

from django.contrib.gis.geos import GEOSGeometry
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_LOCATION = re.compile(r"^(?P<reason>.*?)\s*\[(?P<x>\S+)\s+(?P<y>\S+)\]$")
#: GEOS's reasons (IsValidOp / TopologyValidationError), by their lower-cased English text.
_REASONS = {
    "self-intersection": gettext_lazy("the edges cross each other (self-intersection)"),
    "ring self-intersection": gettext_lazy("a ring touches itself (ring self-intersection)"),
    "too few points": gettext_lazy("a ring has too few points"),
    "too few distinct points in geometry component": gettext_lazy("a ring has too few points"),
    "repeated point": gettext_lazy("a point is repeated"),
    "hole lies outside shell": gettext_lazy("a hole lies outside its polygon"),
    "holes are nested": gettext_lazy("holes are nested"),
    "nested holes": gettext_lazy("holes are nested"),
    "interior is disconnected": gettext_lazy("the interior is disconnected"),
    "nested shells": gettext_lazy("polygons are nested inside each other"),
    "duplicate rings": gettext_lazy("rings are repeated"),
    "invalid coordinate": gettext_lazy("a coordinate is not a number"),
    "ring is not closed": gettext_lazy("a ring is not closed"),
}


def invalid_reason(geometry: GEOSGeometry) -> str:
    """Why GEOS finds `geometry` invalid, translated, with "at longitude …, latitude …"."""
    raw = geometry.valid_reason.strip()
    match = _LOCATION.match(raw)
    reason = match["reason"] if match else raw
    words = str(
        _REASONS.get(
            reason.strip().lower(), _("an unknown problem (%(reason)s)") % {"reason": reason}
        )
    )
    if match is None:
        return words
    try:
        lon, lat = float(match["x"]), float(match["y"])
    except ValueError:
        return words
    return _("%(reason)s at longitude %(lon)s, latitude %(lat)s") % {
        "reason": words,
        "lon": f"{lon:.6f}",
        "lat": f"{lat:.6f}",
    }
