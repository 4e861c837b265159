"""ZIP-based uploads (XLSX, KMZ, ODK Central exports) opened within limits, members streamed.

A 204 KB KMZ can expand to 200 MB, so every ZIP is checked against its own directory before any
member is inflated: at most ``IMPORT_ZIP_MAX_MEMBERS`` members (default 1,000) and at most
``IMPORT_ZIP_MAX_BYTES`` uncompressed in all (default 300 MB). Members are then never read
whole: :func:`open_member` streams one, counting what it inflates, and stops with an error
naming the member as soon as the archive's inflated bytes pass ``IMPORT_ZIP_MAX_BYTES`` or the
member inflates more than ``IMPORT_ZIP_MAX_RATIO`` times its compressed size (default 50;
members under ``RATIO_FLOOR`` are exempt: tiny files compress oddly). The counts are what was
actually inflated, so a directory that lies is caught too. The KML of a KMZ is parsed as it
streams; each CSV of an ODK export is spooled to a temporary file (:func:`spool_member`) and
read from there. XLSX sheets are streamed by openpyxl.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from typing import IO, TYPE_CHECKING, BinaryIO, cast

from django.conf import settings
from django.utils.translation import gettext as _

from parcels.importing.readers.errors import FieldFileError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

MB = 1024 * 1024
RATIO_FLOOR = 5 * MB  # inflated bytes a member may always reach, whatever its ratio
SPOOL_IN_MEMORY = MB  # a spooled member moves to disk past this size
CHUNK = 64 * 1024


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


class Archive(zipfile.ZipFile):
    """A ZIP whose streamed members share one budget of inflated bytes."""

    inflated = 0


def open_zip(data: bytes) -> Archive:
    """The archive, once its member count and total uncompressed size are within the limits."""
    try:
        archive = Archive(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FieldFileError(_("The file is not a valid ZIP archive.")) from None
    infos = archive.infolist()
    members = _limit("IMPORT_ZIP_MAX_MEMBERS", 1000)
    if len(infos) > members:
        archive.close()
        raise FieldFileError(
            _("The archive holds %(count)s files; at most %(limit)s are accepted.")
            % {"count": len(infos), "limit": members}
        )
    total, limit = sum(info.file_size for info in infos), _limit("IMPORT_ZIP_MAX_BYTES", 300 * MB)
    if total > limit:
        archive.close()
        raise FieldFileError(_too_large(_("The archive"), total, limit))
    return archive


class _GuardedMember(io.RawIOBase):
    """A member's inflated bytes, checked against the limits as they are read."""

    def __init__(self, archive: Archive, name: str) -> None:
        info = archive.getinfo(name)
        self._archive, self._name, self._read = archive, name, 0
        # ZipFile.open reads as a ZipExtFile (typeshed says IO[bytes], which has no readinto).
        self._stream = cast(zipfile.ZipExtFile, archive.open(info))
        ratio = _limit("IMPORT_ZIP_MAX_RATIO", 50)
        self._ratio, self._allowed = ratio, max(ratio * info.compress_size, RATIO_FLOOR)
        self._total = _limit("IMPORT_ZIP_MAX_BYTES", 300 * MB)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        try:
            count = self._stream.readinto(buffer)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            message = _("%(name)s in the archive is damaged: %(detail)s") % {
                "name": self._name,
                "detail": exc,
            }
            raise FieldFileError(message) from None
        self._read += count
        self._archive.inflated += count
        if self._archive.inflated > self._total:
            raise FieldFileError(_too_large(self._name, self._archive.inflated, self._total))
        if self._read > self._allowed:
            raise FieldFileError(
                _(
                    "%(name)s in the archive expands more than %(ratio)s times its packed size "
                    "(a ZIP bomb?); it is not accepted. Split it into smaller files."
                )
                % {"name": self._name, "ratio": self._ratio}
            )
        return count

    def close(self) -> None:
        self._stream.close()
        super().close()


def open_member(archive: Archive, name: str) -> BinaryIO:
    """A member as a binary stream that raises FieldFileError (naming the member) as soon as
    it inflates past the archive's byte budget or the compression-ratio limit."""
    return io.BufferedReader(_GuardedMember(archive, name), buffer_size=CHUNK)


def spool_member(archive: Archive, name: str) -> IO[bytes]:
    """A member copied through :func:`open_member` into a temporary file (in memory while
    small, on disk beyond), positioned at its start; deleted when closed."""
    spooled = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 (returned)
    try:
        with open_member(archive, name) as member:
            shutil.copyfileobj(member, spooled, CHUNK)
    except BaseException:
        spooled.close()
        raise
    spooled.seek(0)
    return spooled


def unpacked_size(data: bytes) -> int:
    """The archive's total uncompressed size, from its directory (nothing is inflated)."""
    with open_zip(data) as archive:
        return sum(info.file_size for info in archive.infolist())


def _too_large(what: str, size: int, limit: int) -> str:
    return _(
        "%(what)s expands to %(size)s MB when unpacked; at most %(limit)s MB are "
        "accepted. Split it into smaller files."
    ) % {"what": what, "size": f"{size / MB:.0f}", "limit": f"{limit / MB:.0f}"}
