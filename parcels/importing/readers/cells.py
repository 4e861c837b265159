"""Typed parsers for single spreadsheet cells.

Every parser takes the raw cell (``str`` from a CSV, or the typed value openpyxl gives for an XLSX
cell), the canonical field name for the error, and ``required``. A blank cell gives ``None`` unless
``required`` is set; anything unparseable raises :class:`CellError` naming the field.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from parcels.importing.readers.errors import CellError

_NON_WORD = re.compile(r"[\W_]+")
_BRACKETED = re.compile(r"\([^)]*\)")
# A space (plain, no-break or narrow no-break) used as a thousands separator: "1 234,5".
_GROUP_SPACE = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}(?:\D|\Z))")
_DIGITS = re.compile(r"[0-9]*")
_GROUPED = {sep: re.compile(r"[0-9]{1,3}(?:" + re.escape(sep) + r"[0-9]{3})+") for sep in ".,"}
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_YMD_SLASH = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
# Excel's serial day numbers for 1900-01-01 .. 9999-12-31.
_EXCEL_SERIALS = (1, 2958466)
_TRUE = frozenset({"si", "s", "yes", "y", "true", "verdadero", "v", "1", "x"})
_FALSE = frozenset({"no", "n", "false", "falso", "f", "0"})


def normalize_label(text: str) -> str:
    """Fold a header or choice label for matching: no case, accents, spaces or punctuation.

    ``"DAP (cm)"``, ``"dap_cm"`` and ``"Dap cm"`` all become ``"dapcm"``.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub("", bare.casefold())


def is_blank(value: object) -> bool:
    """True for ``None`` and strings holding only whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def has_data(cells: Sequence[object]) -> bool:
    """True when a row holds at least one cell that is not blank."""
    return any(not is_blank(cell) for cell in cells)


def _blank(field: str, required: bool) -> None:
    if required:
        raise CellError(field, _("This value is required."))
    return None


def parse_text(value: object, field: str, *, required: bool = False) -> str | None:
    """Stripped text; whole numbers typed by Excel (codes, DNI) come back without ``.0``."""
    if is_blank(value):
        return _blank(field, required)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_decimal(value: object, field: str, *, required: bool = False) -> Decimal | None:
    """A Decimal from ``12,5``, ``12.5``, ``1.234,5``, ``1,234.5``, ``1 234,5`` or an Excel number.

    A single ``.`` or ``,`` is always the decimal mark (``1,234`` is 1.234); thousands separators
    are only recognised next to the other mark or when repeated in groups of three.
    """
    if is_blank(value):
        return _blank(field, required)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise CellError(field, _("“%(value)s” is not a number.") % {"value": value})
    if isinstance(value, float) and not math.isfinite(value):
        raise CellError(field, _("“%(value)s” is not a number.") % {"value": value})
    if not isinstance(value, str):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    canonical = _canonical_number(value.strip())
    if canonical is None:
        raise CellError(field, _("“%(value)s” is not a number.") % {"value": value.strip()})
    return Decimal(canonical)


def _canonical_number(text: str) -> str | None:
    """Rewrite a locale-formatted number as ``-1234.5``, or None if it is not one."""
    text = _GROUP_SPACE.sub("", text)
    sign = "-" if text.startswith("-") else ""
    text = text[1:] if text[:1] in "+-" else text
    if "." in text and "," in text:
        mark = "." if text.rfind(".") > text.rfind(",") else ","
        whole, _sep, frac = text.rpartition(mark)
        if not _GROUPED["," if mark == "." else "."].fullmatch(whole):
            return None
        whole = whole.replace("," if mark == "." else ".", "")
    elif text.count(".") > 1 or text.count(",") > 1:
        sep = "." if "." in text else ","
        if not _GROUPED[sep].fullmatch(text):
            return None
        whole, frac = text.replace(sep, ""), ""
    else:
        whole, _sep, frac = text.replace(",", ".").partition(".")
    if not (whole or frac) or not _DIGITS.fullmatch(whole) or not _DIGITS.fullmatch(frac):
        return None
    return f"{sign}{whole or '0'}" + (f".{frac}" if frac else "")


def parse_int(value: object, field: str, *, required: bool = False) -> int | None:
    """A whole number: ``12``, ``12.0``, ``12,0`` and ``1.234.567`` pass, ``12,5`` does not."""
    number = parse_decimal(value, field, required=required)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(field, _("“%(value)s” is not a whole number.") % {"value": value})
    return int(number)


def parse_date(value: object, field: str, *, required: bool = False) -> date | None:
    """A date from ISO text, ``dd/mm/yyyy``, an ODK/Kobo timestamp, or an Excel date cell."""
    if is_blank(value):
        return _blank(field, required)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return _to_datetime(value, field, UTC).date()


def parse_datetime(
    value: object, field: str, *, required: bool = False, tz: tzinfo = UTC
) -> datetime | None:
    """An aware datetime; text or cells without an offset are taken to be in ``tz`` (UTC).

    ODK Central's ``2018-01-01T00:00:00.000Z`` and Kobo's ``2019-07-19T22:47:15`` (UTC without a
    suffix) both parse; a bare date means midnight.
    """
    if is_blank(value):
        return _blank(field, required)
    return _to_datetime(value, field, tz)


def _to_datetime(value: object, field: str, tz: tzinfo) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        moment = _from_excel_serial(value, field)
    else:
        moment = _datetime_from_text(str(value).strip(), field)
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _from_excel_serial(value: float, field: str) -> datetime:
    if not _EXCEL_SERIALS[0] <= value < _EXCEL_SERIALS[1]:
        raise CellError(field, _("“%(value)s” is not a date.") % {"value": value})
    moment = from_excel(value)
    return moment if isinstance(moment, datetime) else datetime.combine(moment, time())


def _datetime_from_text(text: str, field: str) -> datetime:
    try:
        if match := _DMY.fullmatch(text):
            day, month, year, hour, minute, second = (int(part or 0) for part in match.groups())
            return datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 (zone added by caller)
        if match := _YMD_SLASH.fullmatch(text):
            year, month, day = (int(part) for part in match.groups())
            return datetime(year, month, day)  # noqa: DTZ001 (zone added by caller)
        return datetime.fromisoformat(text)
    except ValueError:
        message = _("“%(value)s” is not a date; use dd/mm/yyyy or yyyy-mm-dd.") % {"value": text}
        raise CellError(field, message) from None


def parse_bool(value: object, field: str, *, required: bool = False) -> bool | None:
    """``sí/si/yes/true/1`` and ``no/false/0`` in either language, or an Excel boolean."""
    if is_blank(value):
        return _blank(field, required)
    if isinstance(value, bool):
        return value
    key = normalize_label(parse_text(value, field) or "")
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise CellError(field, _("“%(value)s” is not yes or no (sí/no).") % {"value": value})


def choice_lookup(
    choices: Iterable[tuple[str, object]],
    *,
    aliases: Mapping[str, Iterable[str]] | None = None,
    languages: Iterable[str] = ("es", "en"),
) -> dict[str, str]:
    """Map folded values, labels (in every language) and extra aliases to choice values.

    ``choices`` is a Django ``TextChoices.choices`` list or any ``(value, label)`` pairs; lazy
    labels are rendered once per language, each also without its bracketed note ("Billetera
    móvil (Yape/Plin)" is also "billetera móvil"). Values win over labels if they collide.
    """
    pairs = list(choices)
    lookup = {normalize_label(value): value for value, _label in pairs}
    for value, spellings in (aliases or {}).items():
        for spelling in spellings:
            lookup.setdefault(normalize_label(spelling), value)
    for language in languages:
        with translation.override(language):
            for value, label in pairs:
                lookup.setdefault(normalize_label(str(label)), value)
                if short := _BRACKETED.sub("", str(label)).strip():
                    lookup.setdefault(normalize_label(short), value)
    return lookup


def parse_choice(
    value: object, field: str, lookup: Mapping[str, str], *, required: bool = False
) -> str | None:
    """The choice value whose value, label or alias matches the cell (see :func:`choice_lookup`)."""
    text = parse_text(value, field, required=required)
    if text is None:
        return None
    if (choice := lookup.get(normalize_label(text))) is not None:
        return choice
    expected = ", ".join(sorted(set(lookup.values())))
    message = _("“%(value)s” is not one of: %(expected)s.") % {"value": text, "expected": expected}
    raise CellError(field, message)
