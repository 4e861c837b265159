"""Header rows of tabular files: which row is the header, and which field each column holds.

Each header is matched against caller-supplied aliases ignoring case, accents, spaces and
punctuation; ODK Central and KoboToolbox group prefixes are dropped (:func:`strip_group_paths`).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence

from django.utils.translation import gettext as _

from parcels.importing.readers.cells import has_data, normalize_label
from parcels.importing.readers.errors import FieldFileError, RowError

Aliases = Mapping[str, Iterable[str]]

_HEADER_SCAN = 10
_ODK_GEOPOINT_PARTS = frozenset({"Latitude", "Longitude", "Altitude", "Accuracy"})


def alias_index(aliases: Aliases | None) -> dict[str, str]:
    """Folded spelling -> canonical field name; every canonical name is its own alias."""
    index: dict[str, str] = {}
    for canonical, spellings in (aliases or {}).items():
        for spelling in (canonical, *spellings):
            index.setdefault(normalize_label(spelling), canonical)
    return index


def strip_group_paths(headers: Sequence[str], separator: str) -> list[str]:
    """Drop ODK (``-``) or Kobo (``/``) group prefixes: ``parcela-forma`` -> ``forma``.

    ODK geopoint parts keep their question (``plot-center-Latitude`` -> ``center-Latitude``),
    Kobo select-multiple choice columns keep theirs (``g/q1/a`` -> ``q1/a``), and names that would
    then clash are left whole.
    """
    present = set(headers)
    short = [_short_name(header, separator, present) for header in headers]
    counts = Counter(normalize_label(name) for name in short)
    pairs = zip(headers, short, strict=True)
    return [name if counts[normalize_label(name)] == 1 else whole for whole, name in pairs]


def _short_name(header: str, separator: str, present: set[str]) -> str:
    parts = header.split(separator)
    geopoint_part = separator == "-" and parts[-1] in _ODK_GEOPOINT_PARTS
    choice_column = separator == "/" and separator.join(parts[:-1]) in present
    return separator.join(parts[-2:] if geopoint_part or choice_column else parts[-1:])


def group_separator(headers: Collection[str]) -> str | None:
    """``"-"`` for an ODK Central export, ``"/"`` for a KoboToolbox one, else None."""
    if {"SubmissionDate", "KEY"} <= set(headers) or {"PARENT_KEY", "KEY"} <= set(headers):
        return "-"
    if {"_uuid", "_submission_time"} <= set(headers) or "_parent_index" in headers:
        return "/"
    return None


def map_headers(
    headers: Sequence[str],
    aliases: Aliases | None = None,
    *,
    required: Collection[str] = (),
    row: int = 1,
    sheet: str = "",
) -> tuple[str, ...]:
    """One key per column: the canonical name, the header text, or ``""`` for a blank header.

    Raises :class:`FieldFileError` when a canonical field appears twice or a required one is
    missing; its errors point at the header row.
    """
    index = alias_index(aliases)
    keys = [index.get(normalize_label(h), h.strip()) if h.strip() else "" for h in headers]
    errors = [
        RowError(row, key, _("The column appears more than once."), sheet)
        for key, count in Counter(keys).items()
        if count > 1 and key in set(index.values())
    ]
    errors += [_missing_column(name, aliases, row, sheet) for name in required if name not in keys]
    if errors:
        raise FieldFileError(_("The header row is not usable."), errors)
    return _number_repeats(keys)


def _missing_column(name: str, aliases: Aliases | None, row: int, sheet: str) -> RowError:
    spellings = ", ".join([name, *(aliases or {}).get(name, ())])
    message = _("Required column missing; accepted headers: %(names)s.") % {"names": spellings}
    return RowError(row, name, message, sheet)


def _number_repeats(keys: list[str]) -> tuple[str, ...]:
    """Tell apart repeated unknown headers: the second "Notas" becomes "Notas (2)"."""
    seen: Counter[str] = Counter()
    numbered = []
    for key in keys:
        seen[key] += 1
        numbered.append(f"{key} ({seen[key]})" if key and seen[key] > 1 else key)
    return tuple(numbered)


def find_header(
    lines: Iterator[tuple[int, Sequence[object]]], index: dict[str, str]
) -> tuple[int, Sequence[object], Iterator[tuple[int, Sequence[object]]]]:
    """The header row and the rows after it.

    Without aliases it is the first non-empty row. With aliases it is the one, among the first
    :data:`_HEADER_SCAN` non-empty rows, naming the most known fields, so that a title row typed
    above the header in Excel is skipped.
    """
    seen: list[tuple[int, Sequence[object]]] = []
    for number, cells in lines:
        if has_data(cells):
            seen.append((number, cells))
            if not index or len(seen) == _HEADER_SCAN:
                break
    if not seen:
        return 1, (), lines
    number, cells = max(seen, key=lambda line: (_known_headers(line[1], index), -line[0]))
    return number, cells, itertools.chain([line for line in seen if line[0] > number], lines)


def _known_headers(cells: Sequence[object], index: dict[str, str]) -> int:
    names = [str(cell).replace("/", "-").rsplit("-", 1)[-1] for cell in cells if cell is not None]
    return sum(normalize_label(name) in index for name in names)
