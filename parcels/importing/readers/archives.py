"""ZIP-based uploads (XLSX, KMZ, ODK Central exports) opened within limits.

A 204 KB KMZ can expand to 200 MB; every ZIP is therefore checked against its own directory
before any member is inflated: at most ``IMPORT_ZIP_MAX_MEMBERS`` members (default 1,000), at
most ``IMPORT_ZIP_MAX_BYTES`` uncompressed in all (default 300 MB; XLSX sheets are streamed),
and at most ``IMPORT_ZIP_MAX_MEMBER_BYTES`` (default 50 MB, the upload limit) for a member read
whole (the KML of a KMZ, each CSV of an ODK export). The declared sizes can be trusted as upper
bounds: Python's zipfile never returns more than a member's declared size (a lie fails its CRC).
"""

from __future__ import annotations

import io
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

from parcels.importing.readers.errors import FieldFileError

MB = 1024 * 1024


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def open_zip(data: bytes) -> zipfile.ZipFile:
    """The archive, once its member count and total uncompressed size are within the limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
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


def read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    """A member read whole, once its declared size is within ``IMPORT_ZIP_MAX_MEMBER_BYTES``."""
    size, limit = archive.getinfo(name).file_size, _limit("IMPORT_ZIP_MAX_MEMBER_BYTES", 50 * MB)
    if size > limit:
        raise FieldFileError(_too_large(name, size, limit))
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        message = _("%(name)s in the archive is damaged: %(detail)s") % {
            "name": name,
            "detail": exc,
        }
        raise FieldFileError(message) from None


def unpacked_size(data: bytes) -> int:
    """The archive's total uncompressed size, from its directory (nothing is inflated)."""
    with open_zip(data) as archive:
        return sum(info.file_size for info in archive.infolist())


def _too_large(what: str, size: int, limit: int) -> str:
    return _(
        "%(what)s expands to %(size)s MB when unpacked; at most %(limit)s MB are "
        "accepted. Split it into smaller files."
    ) % {"what": what, "size": f"{size / MB:.0f}", "limit": f"{limit / MB:.0f}"}
