"""Issue 9, imports that cannot hurt: a file whose every row is wrong costs no more than a clean
one. Its job keeps the first errors (file order) and counts them all; the list of jobs and the
status the job page polls read the count, never the stored errors (a 50 MB file of wrong rows
held 372,387 of them, 65 MB of JSON loaded by every page that listed the job)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcels.importing.services import create_import_job
from parcels.models import ImportStatus
from parcels.models.imports import ERRORS_KEPT
from tests.base import PASSWORD

pytestmark = pytest.mark.django_db

HEADER = (
    "dni;nombres;apellidos;sexo;anio_nacimiento;telefono;caserio;distrito;cooperativa;"
    "fecha_ingreso;fecha_acuerdo;forma_de_pago;billetera;observaciones\n"
)
BAD_ROWS = ERRORS_KEPT + 700


def _wrong_file() -> bytes:
    """Every row's DNI has letters: one error a row."""
    rows = "".join(
        f"4{n:06d}x;Ana;Paz;mujer;1975;;Alto;Pichanaqui;a1;15/03/2010;;;;\n"
        for n in range(BAD_ROWS)
    )
    return (HEADER + rows).encode()


def test_a_job_keeps_its_first_errors_and_counts_them_all(field, client) -> None:
    job = create_import_job(
        user=field.personas.staff_a1,
        kind="smallholders",
        project=field.personas.project_a,
        cooperative=None,
        upload=SimpleUploadedFile("socios.csv", _wrong_file()),
    )
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEWED and not job.committable
    assert job.error_count == BAD_ROWS
    assert [error["row"] for error in job.errors] == list(range(2, 2 + ERRORS_KEPT))

    assert client.login(username="staff_a1", password=PASSWORD)
    client.cookies["django_language"] = "en"
    page = client.get(f"/admin/import/{job.pk}/").content.decode()
    assert f"{BAD_ROWS} rows: 0 to create, 0 to update, {BAD_ROWS} errors." in page
    assert "…and 700 more." in page
    with CaptureQueriesContext(connection) as status_queries:
        status = client.get(f"/admin/import/{job.pk}/status.json").json()
    with CaptureQueriesContext(connection) as index_queries:
        index = client.get("/admin/import/").content.decode()
    assert status["errors"] == BAD_ROWS and status["previewed"]
    assert f'<td data-label="Errors">{BAD_ROWS}</td>' in index
    for query in [*status_queries, *index_queries]:
        assert '"errors"' not in query["sql"], query["sql"]  # the stored list is never read


def test_a_job_with_errors_cannot_be_committed_whatever_it_keeps(field, client) -> None:
    job = create_import_job(
        user=field.personas.staff_a1,
        kind="smallholders",
        project=field.personas.project_a,
        cooperative=None,
        upload=SimpleUploadedFile("socios.csv", _wrong_file()),
    )
    assert client.login(username="staff_a1", password=PASSWORD)
    client.post(f"/admin/import/{job.pk}/commit/")
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEWED and job.created_count == 0
