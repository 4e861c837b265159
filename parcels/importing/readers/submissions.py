"""ODK Central and KoboToolbox submission exports, with repeat groups joined to their parents.

* ODK Central ``.csv.zip``: ``{formId}.csv`` holds one row per submission (``KEY`` = instanceID);
  each repeat is ``{formId}-{repeat}.csv`` with ``PARENT_KEY`` -> the parent's ``KEY`` (the root
  or, for nested repeats, a repeat row's ``uuid:…/g1[1]`` key). Media and audit files are skipped.
* KoboToolbox XLSX: the first sheet is the submissions table; each repeat is a sheet joined by
  ``_parent_table_name`` + ``_parent_index`` -> the parent's ``_index``, cross-checked with
  ``_submission__uuid`` -> the root's ``_uuid``.
* A single CSV (Kobo's root-only CSV, Central's ``submissions.csv``) gives the root rows only.

Group prefixes are stripped from headers
(:func:`~parcels.importing.readers.tabular.strip_group_paths`) and the caller's aliases
applied, so ``values`` keys match those of plain tables.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO

from django.utils.translation import gettext as _

from parcels.importing.readers.archives import CHUNK, open_zip, spool_member
from parcels.importing.readers.cells import is_blank, parse_int
from parcels.importing.readers.errors import CellError, FieldFileError, RowError
from parcels.importing.readers.headers import Aliases, group_separator
from parcels.importing.readers.tabular import (
    UTF16_BOMS,
    Row,
    Source,
    Table,
    csv_table,
    read_csv,
    read_source,
    read_xlsx_sheets,
    sniff_delimiter,
)

ODK_KEY, ODK_PARENT_KEY = "KEY", "PARENT_KEY"
KOBO_KEYS = ("_uuid", "rootUuid", "instanceID")


@dataclass
class Submission:
    """One row of a submission export: a submission (root) or a repeat-group entry.

    ``key`` is ODK's ``KEY`` (``uuid:…`` or ``uuid:…/tree[2]``) or, for Kobo, ``_uuid`` with
    ``/<sheet>[n]`` appended per repeat level. ``children`` maps repeat names to their rows.
    """

    sheet: str
    row: int
    key: str
    values: dict[str, object]
    parent: Submission | None = None
    children: dict[str, list[Submission]] = field(default_factory=dict)

    def lineage(self) -> Iterator[Submission]:
        """This row's ancestors, the submission first, ending with this row."""
        if self.parent is not None:
            yield from self.parent.lineage()
        yield self


@dataclass
class SubmissionExport:
    """All submissions of an export (root rows, children attached) and the rows that failed."""

    platform: str  # "odk" or "kobo"
    form_id: str  # ODK xmlFormId / Kobo root sheet (form title)
    submissions: list[Submission]
    errors: list[RowError] = field(default_factory=list)

    def rows(self) -> Iterator[Submission]:
        """Every row, depth first: each submission followed by its repeat rows."""
        stack = list(reversed(self.submissions))
        while stack:
            row = stack.pop()
            yield row
            for children in reversed(row.children.values()):
                stack.extend(reversed(children))


def read_odk_zip(source: Source, *, aliases: Aliases | None = None) -> SubmissionExport:
    """Read an ODK Central CSV zip export (see the module docstring)."""
    tables = _odk_tables(read_source(source), aliases)
    roots = [name for name, table in tables.items() if ODK_PARENT_KEY not in table.keys]
    if len(roots) != 1 or ODK_KEY not in tables[roots[0]].keys:
        raise FieldFileError(_("The ZIP is not an ODK Central CSV export (no single root table)."))
    root_name = roots[0]
    form_id = PurePosixPath(root_name).stem
    export = SubmissionExport("odk", form_id, [])
    index: dict[str, Submission] = {}
    export.submissions = _odk_rows(tables[root_name], index, export.errors)
    # Index every repeat row before linking: nested repeats may come before their parents.
    repeats = {
        name: _odk_rows(table, index, export.errors)
        for name, table in tables.items()
        if name != root_name
    }
    for name, rows in repeats.items():
        _attach_odk(rows, _repeat_name(name, form_id), index, export.errors)
    export.errors.extend(error for table in tables.values() for error in table.errors)
    return export


def _odk_tables(data: bytes, aliases: Aliases | None) -> dict[str, Table]:
    # Each CSV is inflated (within the archive's limits) into a temporary file and its rows
    # are decoded from there as they are read: no member is ever whole in memory.
    with open_zip(data) as archive:
        names = [n for n in archive.namelist() if _is_data_csv(n)]
        return {n: _spooled_csv(spool_member(archive, n), aliases, n) for n in names}


def _spooled_csv(handle: IO[bytes], aliases: Aliases | None, sheet: str) -> Table:
    """The CSV of a spooled member; the file is closed (deleted) with its rows' reader."""
    encoding = _file_encoding(handle)
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    first = text.readline()
    while first and not first.strip():
        first = text.readline()
    text.seek(0)
    return csv_table(text, encoding, sniff_delimiter(first), aliases, sheet=sheet)


def _file_encoding(handle: IO[bytes]) -> str:
    """What :func:`decode_text` would find for the file (UTF-16 with a BOM, UTF-8 with or
    without BOM, cp1252, else Latin-1), by one decoding pass that keeps nothing."""
    utf16 = handle.read(2) in UTF16_BOMS
    handle.seek(0)
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
        finally:
            handle.seek(0)
    if utf16:
        raise FieldFileError(_("The file is not valid UTF-16 text."))
    return "latin-1"


def _is_data_csv(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        path.suffix.lower() == ".csv"
        and path.parts[0] != "media"
        and not path.stem.endswith(" - audit")
    )


def _repeat_name(filename: str, form_id: str) -> str:
    stem = PurePosixPath(filename).stem
    return stem.removeprefix(f"{form_id}-")


def _odk_rows(
    table: Table, index: dict[str, Submission], errors: list[RowError]
) -> list[Submission]:
    rows = []
    for row in table.rows:
        key = str(row.get(ODK_KEY) or "").strip()
        if not key or key in index:
            errors.append(row.error(ODK_KEY, _duplicate_or_missing(key)))
            continue
        index[key] = Submission(row.sheet, row.number, key, row.values)
        rows.append(index[key])
    return rows


def _duplicate_or_missing(key: str) -> str:
    if key:
        return _("The key “%(key)s” appears more than once.") % {"key": key}
    return _("The row has no key.")


def _attach_odk(
    rows: list[Submission], repeat: str, index: dict[str, Submission], errors: list[RowError]
) -> None:
    for row in rows:
        parent_key = str(row.values.get(ODK_PARENT_KEY) or "").strip()
        parent = index.get(parent_key)
        if parent is None:
            errors.append(RowError(row.row, ODK_PARENT_KEY, _no_parent(parent_key), row.sheet))
            continue
        _adopt(parent, repeat, row)


def _no_parent(parent_key: str) -> str:
    return _("No parent row has the key “%(key)s”.") % {"key": parent_key}


def _adopt(parent: Submission, repeat: str, row: Submission) -> None:
    row.parent = parent
    parent.children.setdefault(repeat, []).append(row)


def read_kobo_xlsx(source: Source, *, aliases: Aliases | None = None) -> SubmissionExport:
    """Read a KoboToolbox XLSX export, joining repeat sheets to their parents.

    Sheets are joined in workbook order, which formpack writes parents-first.
    """
    tables = read_xlsx_sheets(source, aliases=aliases)
    if not tables:
        raise FieldFileError(_("The workbook is empty."))
    root, repeats = tables[0], tables[1:]
    export = SubmissionExport("kobo", root.sheet, [])
    join = _KoboJoin(root.sheet, export.errors)
    export.submissions = join.add_roots(root)
    for table in repeats:
        join.add_repeats(table)
    export.errors.extend(error for table in tables for error in table.errors)
    return export


@dataclass
class _KoboJoin:
    """Rows seen so far, by sheet and ``_index`` and (for submissions) by ``_uuid``."""

    root_sheet: str
    errors: list[RowError]
    by_sheet: dict[str, dict[int, Submission]] = field(default_factory=dict)
    uuids: dict[str, Submission] = field(default_factory=dict)

    def add_roots(self, table: Table) -> list[Submission]:
        roots = []
        for row in table.rows:
            key = next((str(row.get(k)).strip() for k in KOBO_KEYS if not is_blank(row.get(k))), "")
            if not key or key in self.uuids:
                self.errors.append(row.error("_uuid", _duplicate_or_missing(key)))
                continue
            self.uuids[key] = Submission(row.sheet, row.number, key, row.values)
            self._index(row, self.uuids[key])
            roots.append(self.uuids[key])
        return roots

    def add_repeats(self, table: Table) -> None:
        for row in table.rows:
            try:
                parent = self._parent(row)
            except CellError as exc:
                self.errors.append(exc.at(row.number, row.sheet))
                continue
            position = len(parent.children.get(table.sheet, [])) + 1
            key = f"{parent.key}/{table.sheet}[{position}]"
            submission = Submission(row.sheet, row.number, key, row.values)
            _adopt(parent, table.sheet, submission)
            self._index(row, submission)

    def _index(self, row: Row, submission: Submission) -> None:
        try:
            number = parse_int(row.get("_index"), "_index")
        except CellError as exc:
            self.errors.append(exc.at(row.number, row.sheet))
            return
        if number is not None:
            self.by_sheet.setdefault(row.sheet, {})[number] = submission

    def _parent(self, row: Row) -> Submission:
        """The parent via ``_parent_table_name``/``_parent_index``, checked by submission uuid."""
        sheet = str(row.get("_parent_table_name") or "").strip()
        number = parse_int(row.get("_parent_index"), "_parent_index")
        uuid = str(row.get("_submission__uuid") or "").strip()
        # Excel caps sheet names at 31 characters; formpack truncates the sheet, not the reference.
        rows = self.by_sheet.get(sheet) or self.by_sheet.get(sheet[:31]) or {}
        parent = rows.get(number) if number is not None else None
        if parent is None and uuid and sheet in ("", self.root_sheet, self.root_sheet[:31]):
            parent = self.uuids.get(uuid)
        if parent is None:
            message = _("No parent row “%(sheet)s” number %(index)s.") % {
                "sheet": sheet,
                "index": number,
            }
            raise CellError("_parent_index", message)
        root = next(parent.lineage())
        if uuid and uuid != root.key:
            message = _(
                "_parent_index points at submission “%(parent)s”, but the row belongs "
                "to “%(uuid)s”."
            ) % {"parent": root.key, "uuid": uuid}
            raise CellError("_submission__uuid", message)
        return parent


def read_submission_csv(source: Source, *, aliases: Aliases | None = None) -> SubmissionExport:
    """A root-only export (Kobo CSV or Central's ``submissions.csv``): no repeat rows."""
    table = read_csv(source, aliases=aliases)
    separator = group_separator(table.headers)
    if separator is None:
        raise FieldFileError(_("The CSV is not an ODK Central or KoboToolbox export."))
    platform, keys = ("odk", (ODK_KEY,)) if separator == "-" else ("kobo", KOBO_KEYS)
    export = SubmissionExport(platform, "", [])
    for row in table.rows:
        key = next((str(row.get(k)).strip() for k in keys if not is_blank(row.get(k))), "")
        export.submissions.append(Submission(row.sheet, row.number, key, row.values))
    export.errors.extend(table.errors)
    return export
