"""Format detection from content, with the file name as a tie-breaker."""

import io
import zipfile

import pytest

from parcels.importing.readers.detect import FORMATS, detect_format
from parcels.importing.readers.errors import FieldFileError
from tests.parcels.importing.readers.conftest import fixture_path


def test_it_recognises_the_text_formats() -> None:
    assert detect_format(fixture_path("parcelas_eudr.geojson")) == "geojson"
    assert detect_format(fixture_path("parcelas.kml")) == "kml"
    assert detect_format(fixture_path("arboles_latin1.csv")) == "csv"
    assert detect_format(fixture_path("trees_en_bom.csv").read_bytes(), "trees.txt") == "csv"
    assert detect_format(b'\xef\xbb\xbf  {"type": "FeatureCollection"}', "upload") == "geojson"


def test_it_recognises_the_zip_formats(
    trees_xlsx: bytes, kobo_xlsx: bytes, kmz: bytes, odk_tree_plot_zip: bytes
) -> None:
    assert detect_format(trees_xlsx, "mediciones.xlsx") == "xlsx"
    assert detect_format(kobo_xlsx, "export.xlsx") == "kobo-xlsx"
    assert detect_format(kmz, "parcelas.zip") == "kmz"
    assert detect_format(odk_tree_plot_zip, "tree_plot_monitoring.zip") == "odk-zip"
    assert set(FORMATS) == {"csv", "xlsx", "geojson", "kml", "kmz", "odk-zip", "kobo-xlsx"}


def test_it_trusts_content_over_the_file_name(kmz: bytes) -> None:
    assert detect_format(kmz, "parcelas.csv") == "kmz"
    assert detect_format(fixture_path("parcelas.kml").read_bytes(), "parcelas.geojson") == "kml"


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"", "vacio.csv", "The file is empty."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "viejo.xls", "save the file as .xlsx"),
        (b'<?xml version="1.0"?><gpx></gpx>', "track.xml", "not KML"),
        (b'<?xml version="1.0"?><gpx></gpx>', "track.gpx", "not a supported format"),
        (b"parcel_code;wkt\n", "parcelas.geojson", "does not hold GEOJSON"),
        (b"\x00\x00\x27\x0a\x00\x00", "parcelas.shp", "not a supported format"),
        (b"\x00\x01binary\x00", "raro.bin", "not a supported format"),
        (b"PK\x03\x04 roto", "x.zip", "not a valid ZIP"),
    ],
)
def test_it_rejects_unsupported_files(data: bytes, name: str, expected: str) -> None:
    with pytest.raises(FieldFileError, match=expected):
        detect_format(data, name)


def test_it_rejects_a_zip_holding_nothing_it_knows() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("fotos/arbol.jpg", b"\xff\xd8")
        archive.writestr("datos.csv", "a,b\n1,2\n")
    with pytest.raises(FieldFileError, match="no KML, XLSX or ODK Central CSV"):
        detect_format(buffer.getvalue(), "fotos.zip")
