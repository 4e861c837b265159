"""Pure file-format layer of the field-data import: no models, no database.

Modules: :mod:`.tabular` (CSV/XLSX rows and headers), :mod:`.cells` (typed cell parsers),
:mod:`.geometry` (boundary building and checks, ODK geo strings, WKT), :mod:`.geo` (parcel
boundaries from GeoJSON, KML/KMZ, tables and ODK/Kobo exports), :mod:`.submissions` (ODK Central
zip and Kobo XLSX exports with repeats joined), :mod:`.detect` (format detection) and
:mod:`.errors` (structured errors).
"""
