"""Pure file-format layer of the field-data import: no models, no database.

Modules: :mod:`.tabular` (CSV/XLSX rows and headers), :mod:`.cells` (typed cell parsers),
:mod:`.geometry` (boundary building and checks, ODK geo strings, WKT), :mod:`.geo` (parcel
boundaries from any supported file; entry point :func:`.geo.read_parcels`), :mod:`.features`
(GeoJSON, KML/KMZ), :mod:`.records` (:class:`.records.GeoRecord`, :class:`.records.GeoResult`),
:mod:`.submissions` (ODK Central zip and Kobo XLSX exports with repeats joined), :mod:`.detect`
(format detection) and :mod:`.errors` (structured errors).
"""
