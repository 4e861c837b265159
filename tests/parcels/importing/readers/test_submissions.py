"""ODK Central zip and KoboToolbox XLSX exports: repeat joins, keys, and boundaries from them."""

import io
import zipfile

import pytest

from parcels.importing.readers.errors import FieldFileError
from parcels.importing.readers.geo import parcels_from_submissions, read_parcels
from parcels.importing.readers.submissions import (
    read_kobo_xlsx,
    read_odk_zip,
    read_submission_csv,
)
from parcels.importing.readers.tabular import read_csv
from tests.parcels.importing.readers.conftest import fixture_path, workbook_bytes

SELF_INTERSECTION = (
    "The boundary is not valid: the edges cross each other (self-intersection) at longitude "
    "-74.879000, latitude -10.931000."
)

PLOT_ONE = "uuid:6f1c2a8e-0b7d-4c55-9d1e-2a4b7c9e1f01"
PLOT_TWO = "uuid:0c4d9b31-77e2-4f0a-8a6e-5d3f1b2c4e02"
TREE_CSV = "tree_plot_monitoring-tree.csv"
KOBO_ONE = "5b0f6a8e-3c1d-4e2f-9a7b-6c5d4e3f2a01"
KOBO_THREE = "5b0f6a8e-3c1d-4e2f-9a7b-6c5d4e3f2a03"


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_it_joins_odk_repeat_rows_to_their_submissions(odk_tree_plot_zip: bytes) -> None:
    export = read_odk_zip(odk_tree_plot_zip, aliases={"dbh_cm": ["dap"]})
    assert (export.platform, export.form_id) == ("odk", "tree_plot_monitoring")
    first, second = export.submissions
    assert (first.sheet, first.row, first.key) == ("tree_plot_monitoring.csv", 2, PLOT_ONE)
    assert first.values["farm_code"] == "PCH-0147"  # "plot-" group prefix stripped
    assert first.values["center-Latitude"] == "-10.9283004"
    assert first.values["instanceID"] == PLOT_ONE
    trees = first.children["tree"]
    assert [t.key for t in trees] == [f"{PLOT_ONE}/tree[{n}]" for n in (1, 2, 3)]
    assert [(t.sheet, t.row) for t in trees] == [(TREE_CSV, 2), (TREE_CSV, 3), (TREE_CSV, 4)]
    assert trees[2].values["species_other"] == "Shaina (Colubrina glandulosa)"
    assert trees[0].values["dbh_cm"] == "18.4" and trees[0].parent is first
    assert [t.values["tag"] for t in second.children["tree"]] == ["201", "202"]
    assert [row.key for row in export.rows()][:2] == [PLOT_ONE, f"{PLOT_ONE}/tree[1]"]


def test_it_reports_odk_repeat_rows_without_a_parent(odk_tree_plot_zip: bytes) -> None:
    export = read_odk_zip(odk_tree_plot_zip)
    assert [(e.sheet, e.row, e.field) for e in export.errors] == [(TREE_CSV, 7, "PARENT_KEY")]
    assert export.errors[0].message == (
        "No parent row has the key “uuid:9e9e9e9e-dead-4bad-beef-000000000000”."
    )


def test_it_joins_nested_odk_repeats_whatever_the_file_order() -> None:
    root = "uuid:0a1b861f-a5fd-4f49-846a-78dcf06cfc1b"
    g2 = (
        f"t2,PARENT_KEY,KEY\nsome text 1.1,{root}/g1[1],{root}/g1[1]/g2[1]\n"
        f"some text 1.2,{root}/g1[1],{root}/g1[1]/g2[2]\n"
    )
    export = read_odk_zip(
        zipped(
            {
                "nested-repeats-g2.csv": g2,
                "nested-repeats.csv": (
                    f"SubmissionDate,meta-instanceID,KEY\n2018-01-01,{root},{root}\n"
                ),
                "nested-repeats-g1.csv": f"t1,PARENT_KEY,KEY\ntext 1,{root},{root}/g1[1]\n",
            }
        )
    )
    g1 = export.submissions[0].children["g1"][0]
    assert [row.values["t2"] for row in g1.children["g2"]] == ["some text 1.1", "some text 1.2"]
    assert [row.key for row in g1.children["g2"][1].lineage()] == [
        root,
        f"{root}/g1[1]",
        f"{root}/g1[1]/g2[2]",
    ]
    assert export.errors == []


def test_it_reports_missing_and_duplicate_odk_keys() -> None:
    export = read_odk_zip(
        zipped(
            {
                "f.csv": "SubmissionDate,name,KEY\n2026-01-01T00:00:00.000Z,Ana,uuid:1\n"
                "2026-01-01T00:00:00.000Z,Ana otra vez,uuid:1\n2026-01-01T00:00:00.000Z,Sin,\n",
            }
        )
    )
    assert [s.values["name"] for s in export.submissions] == ["Ana"]
    assert [(e.row, e.field, e.message) for e in export.errors] == [
        (3, "KEY", "The key “uuid:1” appears more than once."),
        (4, "KEY", "The row has no key."),
    ]


def test_it_rejects_a_zip_that_is_not_an_odk_export() -> None:
    with pytest.raises(FieldFileError, match="not an ODK Central CSV export"):
        read_odk_zip(zipped({"a.csv": "x,y\n1,2\n"}))
    with pytest.raises(FieldFileError, match="not a valid ZIP"):
        read_odk_zip(b"not a zip")


def test_it_reads_boundaries_from_an_odk_repeat_group(odk_parcels_zip: bytes) -> None:
    result = read_parcels(odk_parcels_zip, "registro_parcelas.csv.zip")
    assert result.format == "odk-zip"
    assert [r.properties["codigo"] for r in result.records] == ["PCH-0147", "PCH-0160", "PCH-0148"]
    first = result.records[0]
    assert first.key == "uuid:a1b2c3d4-0001-4e5f-8a9b-000000000321/parcelas[1]"
    assert (first.sheet, first.row) == ("registro_parcelas-parcelas.csv", 2)
    assert first.properties["nombre"] == "Juana Quispe"  # inherited from the submission
    assert first.accuracies == (4.5, 3.9, 4.1, 0.0, 4.5)
    assert result.records[2].accuracies[-1] == 3.0  # open ring closed with its first point
    errors = {(e.row, e.field): e.message for e in result.errors}
    assert list(errors) == [(5, "geometry"), (6, "geometry"), (7, "geometry"), (8, "geometry")]
    assert SELF_INTERSECTION.removeprefix("The boundary is not valid: ") in errors[5, "geometry"]
    assert "swapped" in errors[6, "geometry"]
    assert errors[7, "geometry"].startswith("Ring 1 has 3 positions")
    assert errors[8, "geometry"] == "The boundary is empty."


def test_it_rejects_geotraces_as_boundaries(odk_geotrace_zip: bytes) -> None:
    result = read_parcels(odk_geotrace_zip, "linderos.zip")
    assert result.records == []
    assert [(e.sheet, e.row, e.field) for e in result.errors] == [
        ("linderos.csv", 2, "lindero"),
        ("linderos.csv", 3, "lindero"),
    ]
    assert "geotrace" in result.errors[0].message


def test_it_finds_a_geoshape_column_by_its_values() -> None:
    shape = "-10.94 -74.875;-10.94 -74.874;-10.939 -74.874;-10.94 -74.875;"
    data = zipped(
        {
            "f.csv": "SubmissionDate,nota,limite_finca,KEY\n"
            f"2026-01-01,sombra; pacae,{shape},uuid:1\n"
        }
    )
    result = parcels_from_submissions(read_odk_zip(data))
    assert (result.format, result.records[0].key) == ("odk-export", "uuid:1")
    assert result.records[0].properties["nota"] == "sombra; pacae"
    empty = read_odk_zip(zipped({"f.csv": "SubmissionDate,limite_finca,KEY\n"}))
    assert parcels_from_submissions(empty).records == []
    with pytest.raises(FieldFileError, match="No boundary column found"):
        parcels_from_submissions(read_odk_zip(zipped({"f.csv": "SubmissionDate,a,KEY\nx,1,k\n"})))


def test_it_joins_kobo_repeat_sheets(kobo_xlsx: bytes) -> None:
    export = read_kobo_xlsx(kobo_xlsx)
    assert (export.platform, export.form_id) == ("kobo", "Registro de parcelas")
    first, second, third = export.submissions
    assert (first.key, first.row, first.values["parcel_code"]) == (KOBO_ONE, 2, "PCH-0147")
    assert first.values["_gps_latitude"] == -10.9283  # typed XLSX cell, group prefix stripped
    trees = first.children["arbol_sombra"]
    assert [t.values["especie"] for t in trees] == ["inga_spp", "erythrina_spp"]
    assert [t.key for t in trees] == [f"{KOBO_ONE}/arbol_sombra[1]", f"{KOBO_ONE}/arbol_sombra[2]"]
    assert [t.row for t in trees] == [2, 3]
    assert second.children == {}
    assert [t.values["especie"] for t in third.children["arbol_sombra"]] == ["persea_americana"]


def test_it_reports_kobo_rows_with_a_missing_or_mismatched_parent(kobo_xlsx: bytes) -> None:
    export = read_kobo_xlsx(kobo_xlsx)
    assert [(e.sheet, e.row, e.field) for e in export.errors] == [
        ("arbol_sombra", 5, "_parent_index"),
        ("arbol_sombra", 6, "_submission__uuid"),
    ]
    assert export.errors[0].message == "No parent row “Registro de parcelas” number 9."
    assert KOBO_THREE in export.errors[1].message


def test_it_joins_kobo_rows_by_uuid_when_the_index_is_missing() -> None:
    export = read_kobo_xlsx(
        workbook_bytes(
            {
                "Formulario": [
                    ["name", "_uuid", "_submission_time", "_index"],
                    ["Ana", "u-1", "2026-01-01T00:00:00", 1],
                ],
                "hijos": [
                    ["nombre", "_parent_table_name", "_parent_index", "_submission__uuid"],
                    ["Beto", "Formulario", None, "u-1"],
                    ["Caro", "Formulario", "x", "u-1"],
                ],
            }
        )
    )
    assert [c.values["nombre"] for c in export.submissions[0].children["hijos"]] == ["Beto"]
    assert [(e.row, e.field) for e in export.errors] == [(3, "_parent_index")]


def test_it_reads_boundaries_from_a_kobo_workbook(kobo_xlsx: bytes) -> None:
    result = read_parcels(kobo_xlsx, "parcelas.xlsx")
    assert result.format == "kobo-xlsx"
    assert [(r.key, r.properties["parcel_code"]) for r in result.records] == [
        (KOBO_ONE, "PCH-0147"),
        (KOBO_THREE, "PCH-0148"),
    ]
    assert [(e.sheet, e.row, e.field) for e in result.errors] == [
        ("arbol_sombra", 5, "_parent_index"),
        ("arbol_sombra", 6, "_submission__uuid"),
        ("Registro de parcelas", 3, "geometry"),
    ]
    assert "(self-intersection)" in result.errors[2].message


def test_it_reads_a_root_only_submission_csv() -> None:
    export = read_submission_csv(fixture_path("kobo_parcelas.csv"))
    assert export.platform == "kobo"
    assert [(s.row, s.key) for s in export.submissions] == [
        (3, KOBO_ONE),
        (4, "5b0f6a8e-3c1d-4e2f-9a7b-6c5d4e3f2a02"),
    ]
    odk = read_submission_csv(
        fixture_path("odk_tree_plot/tree_plot_monitoring.csv"), aliases={"plot_code": ["codigo"]}
    )
    assert odk.platform == "odk" and odk.submissions[1].key == PLOT_TWO
    assert odk.submissions[1].values["plot_code"] == "PCH-0148-M1"


def test_it_refuses_a_plain_csv_as_a_submission_export() -> None:
    with pytest.raises(FieldFileError, match="not an ODK Central or KoboToolbox export"):
        read_submission_csv(fixture_path("parcelas_wkt.csv"))


def test_it_reports_bad_kobo_keys_and_an_empty_workbook() -> None:
    export = read_kobo_xlsx(
        workbook_bytes(
            {
                "Formulario": [
                    ["name", "_uuid", "_submission_time", "_index"],
                    ["Ana", "u-1", "2026-01-01T00:00:00", "uno"],
                    ["Ana", "u-1", "2026-01-01T00:00:00", 2],
                    ["Beto", None, "2026-01-01T00:00:00", 3],
                ],
            }
        )
    )
    assert [s.key for s in export.submissions] == ["u-1"]
    assert [(e.row, e.field) for e in export.errors] == [(2, "_index"), (3, "_uuid"), (4, "_uuid")]
    with pytest.raises(FieldFileError, match="workbook is empty"):
        read_kobo_xlsx(workbook_bytes({"Hoja1": []}))


@pytest.mark.parametrize(
    ("encoding", "newline", "delimiter"),
    [
        ("utf-8-sig", "\r\n", ","),
        ("utf-8", "\n", ";"),
        ("cp1252", "\r\n", ";"),
        ("utf-16", "\r\n", "\t"),
        ("latin-1", "\r", ","),
    ],
)
def test_odk_members_streamed_from_disk_read_like_a_csv_in_memory(
    encoding: str, newline: str, delimiter: str
) -> None:
    """The ODK export's CSVs are spooled and decoded as rows are read: the same rows, numbers
    and encoding as reading the member whole (quoted line breaks, accents, blank lines)."""
    lines = ["", "SubmissionDate|KEY|nombre|notas", '2024|uuid:a|Núñez|"dos\nlíneas"']
    lines.append("2024|uuid:b|Ñ€|x")
    if encoding == "latin-1":
        lines[3] = "2024|uuid:b|\x81Ñ|x"  # a byte cp1252 lacks: Latin-1, as decode_text
    text = newline.join(line.replace("|", delimiter) for line in lines) + newline
    data = text.encode(encoding)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("form.csv", data)
    export = read_odk_zip(buffer.getvalue())
    whole = read_csv(data, sheet="form.csv")
    assert [(s.row, s.key, s.values) for s in export.submissions] == [
        (row.number, row.values["KEY"], row.values) for row in whole.rows
    ]
    assert [s.values["nombre"] for s in export.submissions][0] == "Núñez"
    assert len(export.submissions) == 2 and not export.errors
