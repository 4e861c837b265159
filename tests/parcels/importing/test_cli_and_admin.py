"""The command line contract, the admin upload → preview → commit flow, templates, Celery jobs."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from parcels.importing.services import create_import_job, request_import_commit
from parcels.models import ImportJob, TreeMeasurement
from smallholders.models import Smallholder
from tests.base import PASSWORD

TREES = (
    "parcela;parcela_muestreo;fecha;arbol;especie;dap;altura;estado\n"
    "PCH-0001;P1;20/06/2024;1;Inga edulis;12,5;8,2;vivo\n"
    "PCH-0001;P1;20/06/2024;2;Inga edulis;13;;muerto\n"
)


@pytest.mark.django_db
def test_it_previews_from_the_command_line_without_writing(field, tmp_path, capsys):
    path = tmp_path / "arboles.csv"
    path.write_bytes(TREES.encode("latin-1"))
    call_command("import_field_data", "measurements", str(path), "--project", "pa")
    out = capsys.readouterr().out
    assert "to create: 2" in out or "crear: 2" in out
    assert TreeMeasurement.objects.count() == 0
    call_command(
        "import_field_data",
        "measurements",
        str(path),
        "--project",
        "pa",
        "--commit",
        "--user",
        "staff_a1",
    )
    assert TreeMeasurement.objects.count() == 2


@pytest.mark.django_db
def test_it_exits_non_zero_and_names_row_and_field(field, tmp_path, capsys):
    path = tmp_path / "arboles.csv"
    path.write_bytes((TREES + "PCH-0001;P1;20/06/2024;3;Inga edulis;-4;;vivo\n").encode())
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_field_data",
            "measurements",
            str(path),
            "--project",
            "pa",
            "--commit",
            "--format",
            "csv",
        )
    assert raised.value.returncode == 1
    assert "4" in capsys.readouterr().err and TreeMeasurement.objects.count() == 0


@pytest.mark.django_db
def test_it_runs_the_admin_flow_in_spanish(field, client):
    client.login(username="staff_a1", password=PASSWORD)
    upload = SimpleUploadedFile("socios.csv", b"dni;nombres;apellidos\n41234567;Ana;Paz\n")
    response = client.post(
        reverse("parcels_import:index"),
        {"kind": "smallholders", "project": field.personas.project_a.pk, "file": upload},
        HTTP_ACCEPT_LANGUAGE="es",
        follow=True,
    )
    assert response.status_code == 200
    job = ImportJob.objects.get()
    assert job.status == "previewed" and job.to_create == 1
    assert not Smallholder.objects.filter(dni="41234567").exists()
    response = client.post(reverse("parcels_import:commit", args=[job.pk]), follow=True)
    assert Smallholder.objects.filter(dni="41234567").exists()
    job.refresh_from_db()
    assert job.status == "done" and job.created_count == 1
    status = client.get(reverse("parcels_import:status", args=[job.pk])).json()
    assert status["progress"] == 100


@pytest.mark.django_db
def test_it_hides_jobs_and_the_page_from_other_roles(field, client):
    job = create_import_job(
        user=field.personas.staff_a1,
        kind="smallholders",
        project=field.personas.project_a,
        cooperative=None,
        upload=SimpleUploadedFile("s.csv", b"dni;nombres;apellidos\n"),
    )
    client.login(username="staff_b1", password=PASSWORD)
    assert client.get(reverse("parcels_import:job", args=[job.pk])).status_code == 404
    client.login(username="verifier", password=PASSWORD)
    assert client.get(reverse("parcels_import:index")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_it_downloads_templates_that_import(field, client, language, extension):
    client.login(username="manager_a", password=PASSWORD)
    url = reverse("parcels_import:template", args=["smallholders", language, extension])
    response = client.get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    if extension == "csv":
        header = response.content.decode("utf-8-sig").splitlines()[0]
        assert ("nombres" in header) == (language == "es")


@pytest.mark.django_db(transaction=True)
def test_it_runs_large_files_in_a_celery_worker(field, celery_worker_on_redis, settings):
    settings.IMPORT_ASYNC_ROWS = 1
    upload = SimpleUploadedFile("arboles.csv", TREES.encode())
    job = create_import_job(
        user=field.personas.staff_a1,
        kind="measurements",
        project=field.personas.project_a,
        cooperative=None,
        upload=upload,
    )
    assert job.run_async
    job = _wait(job, "previewed")
    assert job.to_create == 2 and job.progress == 100
    request_import_commit(job_id=job.pk, user=field.personas.staff_a1)
    job = _wait(job, "done")
    assert TreeMeasurement.objects.count() == 2


def _wait(job, status, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (status, "failed"):
            break
        time.sleep(0.2)
    assert job.status == status, (job.status, job.message, job.errors)
    return job


WKT_WITHOUT_LAND_USE = (
    "codigo_parcela;dni;geometria_wkt\nPCH-0400;40123456;"
    '"POLYGON((-74.93 -10.93, -74.928 -10.93, -74.928 -10.928, -74.93 -10.93))"\n'
)


@pytest.mark.django_db
def test_it_takes_the_default_land_use_from_the_command_line(field, tmp_path, capsys):
    from parcels.models import Parcel

    path = tmp_path / "parcelas.csv"
    path.write_bytes(WKT_WITHOUT_LAND_USE.encode())
    with pytest.raises(CommandError):
        call_command("import_field_data", "parcels", str(path), "--project", "pa", "--commit")
    assert "2, land_use_before" in capsys.readouterr().err
    call_command(
        "import_field_data",
        "parcels",
        str(path),
        "--project",
        "pa",
        "--commit",
        "--land-use",
        "fallow",
    )
    assert Parcel.objects.get(code="PCH-0400").land_use_before == "fallow"


@pytest.mark.django_db
def test_it_takes_the_default_land_use_from_the_upload_form(field, client):
    from parcels.models import Parcel

    client.login(username="staff_a1", password=PASSWORD)
    form = client.get(reverse("parcels_import:index"), HTTP_ACCEPT_LANGUAGE="es")
    assert "Uso del suelo antes del proyecto" in form.content.decode()
    upload = SimpleUploadedFile("parcelas.csv", WKT_WITHOUT_LAND_USE.encode())
    client.post(
        reverse("parcels_import:index"),
        {
            "kind": "parcels",
            "project": field.personas.project_a.pk,
            "file": upload,
            "land_use_before": "coffee",
        },
    )
    job = ImportJob.objects.get()
    assert (job.status, job.errors, job.land_use_before) == ("previewed", [], "coffee")
    request_import_commit(job_id=job.pk, user=field.personas.staff_a1)
    assert Parcel.objects.get(code="PCH-0400").land_use_before == "coffee"
