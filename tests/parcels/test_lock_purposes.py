"""One lock per purpose (pichanaki.locking), on PostgreSQL with real concurrent connections.

A long import commit holds only its own locks: run approvals and parcel saves of the same
project go on meanwhile (they used to queue behind it on the project row). A parcel file still
holds parcel saves off. A lock not had in time is "busy, try again": 409 `busy` in the API, a
form error or message in the admin, and a job committed in the request is previewed again.
"""

import contextlib
import json
import threading
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from rest_framework.test import APIClient

from parcels.importing import services as imports
from parcels.importing.parcels import ParcelImporter
from parcels.importing.plantings import PlantingImporter
from parcels.models import ImportJob, Parcel, Planting, Species
from pichanaki.locking import (
    IMPORT_COMMIT,
    PARCEL_BOUNDARIES,
    RUN_APPROVAL,
    LockTimeout,
    Purpose,
    take_lock,
)
from quantification import services as run_services
from quantification.models import CalculationRun
from tests.base import PASSWORD, build_personas
from tests.parcels.builders import cell, make_parcel, make_smallholder
from tests.quantification.runs.helpers import succeeded_run

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

PLANTINGS = b"parcela;especie;fecha;cantidad\nPCH-0001;cedro;01/02/2012;150\n"
PARCELS = (
    b"codigo_parcela;dni;uso_anterior;geometria_wkt\nPCH-0300;40123456;cafe;"
    b'"POLYGON((-74.99 -10.99, -74.988 -10.99, -74.988 -10.988, -74.99 -10.99))"\n'
)
WAIT = 30  # seconds; never reached when things work


@pytest.fixture
def world(settings):
    # Short waits: a lock that is (wrongly) busy fails the test quickly with LockTimeout.
    settings.LOCK_TIMEOUTS_MS = {name: 300 for name in ("parcel_boundaries", "import_commit",
                                                        "run_approval")}  # fmt: skip
    personas = build_personas()
    owner = make_smallholder(personas.project_a, personas.coop_a1)
    make_parcel(owner, "PCH-0001", cell(0))
    Species.objects.get_or_create(
        scientific_name="Cedrela odorata",
        defaults={"code": "CEDRODO", "genus": "Cedrela", "common_name_es": "cedro"},
    )
    return personas, owner


@contextlib.contextmanager
def held(purpose: Purpose, object_id: int) -> Iterator[None]:
    """Another connection holds the named lock, in an open transaction, until the block ends."""
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                take_lock(purpose, object_id)
                taken.set()
                release.wait(timeout=WAIT)
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert taken.wait(timeout=WAIT)
    try:
        yield
    finally:
        release.set()
        thread.join()


@contextlib.contextmanager
def import_paused(monkeypatch, importer: type, personas, data: bytes, name: str) -> Iterator[dict]:
    """An import commit in another thread, stopped inside its transaction after every check
    (its locks taken, its rows about to be written) until the block ends."""
    inside, release, outcome = threading.Event(), threading.Event(), {}
    real = importer.write

    def write_when_released(self, plan) -> None:
        inside.set()
        outcome["released_in_time"] = release.wait(timeout=WAIT)
        real(self, plan)

    monkeypatch.setattr(importer, "write", write_when_released)
    context = imports.import_context(user=personas.staff_a1, project=personas.project_a)

    def commit() -> None:
        try:
            outcome["result"] = imports.import_file(
                kind=importer.kind, data=data, filename=name, context=context, commit=True
            )
        finally:
            connection.close()

    thread = threading.Thread(target=commit)
    thread.start()
    assert inside.wait(timeout=WAIT)
    try:
        yield outcome
    finally:
        release.set()
        thread.join()


def test_a_long_import_blocks_neither_run_approval_nor_parcel_saves(world, monkeypatch):
    personas, owner = world
    run = succeeded_run(personas.project_a)
    with import_paused(monkeypatch, PlantingImporter, personas, PLANTINGS, "p.csv") as outcome:
        approved = run_services.approve_calculation_run(run_id=run.pk, actor=personas.verifier)
        saved = make_parcel(owner, "PCH-0002", cell(1))
        assert not Planting.objects.exists()  # the import is still inside its transaction
    assert outcome["released_in_time"], "the approval or the save waited for the import"
    assert outcome["result"].committed
    assert approved.status == "approved" and Parcel.objects.filter(pk=saved.pk).exists()
    assert Planting.objects.get().trees_planted == 150


def test_a_parcel_file_still_holds_parcel_saves_off_but_not_approvals(world, monkeypatch):
    personas, owner = world
    run = succeeded_run(personas.project_a)
    with import_paused(monkeypatch, ParcelImporter, personas, PARCELS, "p.csv") as outcome:
        with pytest.raises(LockTimeout) as busy:
            make_parcel(owner, "PCH-0002", cell(1))
        run_services.approve_calculation_run(run_id=run.pk, actor=personas.verifier)
    assert busy.value.purpose is PARCEL_BOUNDARIES
    assert outcome["result"].committed and Parcel.objects.filter(code="PCH-0300").exists()
    assert not Parcel.objects.filter(code="PCH-0002").exists()


def test_a_second_import_commit_in_the_request_is_previewed_again_with_a_message(world):
    personas, _owner = world
    upload = SimpleUploadedFile("p.csv", PLANTINGS)
    job = imports.create_import_job(
        user=personas.staff_a1, kind="plantings", project=personas.project_a,
        cooperative=None, upload=upload,
    )  # fmt: skip
    assert ImportJob.objects.get(pk=job.pk).status == "previewed" and not job.run_async
    client = Client()
    client.login(username=personas.staff_a1.username, password=PASSWORD)
    with held(IMPORT_COMMIT, personas.project_a.pk):
        page = client.post(f"/admin/import/{job.pk}/commit/", follow=True)
    assert "Otra importación a este proyecto" in page.content.decode()
    assert ImportJob.objects.get(pk=job.pk).status == "previewed"
    assert not Planting.objects.exists()
    imports.request_import_commit(job_id=job.pk, user=personas.staff_a1)  # free again
    assert ImportJob.objects.get(pk=job.pk).status == "done"


def test_a_worker_commit_that_finds_the_project_busy_waits_for_the_sweep(world):
    personas, _owner = world
    job = ImportJob.objects.create(
        kind="plantings", project=personas.project_a, original_name="p.csv",
        created_by=personas.staff_a1, status="committing", run_async=True,
    )  # fmt: skip
    job.file.save("p.csv", SimpleUploadedFile("p.csv", PLANTINGS))
    ImportJob.objects.filter(pk=job.pk).update(dispatched_at="2026-01-01T00:00:00Z")
    with held(IMPORT_COMMIT, personas.project_a.pk):
        imports.commit_import_job(job_id=job.pk)  # no exception: busy is not failed
    job.refresh_from_db()
    assert (job.status, job.dispatched_at) == ("committing", None)  # the sweep sends it again


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_answers_409_busy_naming_the_lock(world):
    personas, owner = world
    feature = {
        "type": "Feature",
        "geometry": json.loads(cell(2).json),
        "properties": {"smallholder": owner.pk, "code": "PCH-9", "land_use_before": "coffee"},
    }
    with held(PARCEL_BOUNDARIES, personas.project_a.pk):
        response = api(personas.staff_a1).post("/api/v1/parcels/", feature, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "busy"
    assert response.json()["error"]["lock"] == "parcel_boundaries"
    assert int(response["Retry-After"]) > 0
    assert not Parcel.objects.filter(code="PCH-9").exists()
    run = succeeded_run(personas.project_a)
    with held(RUN_APPROVAL, personas.project_a.pk):
        response = api(personas.verifier).post(f"/api/v1/calculation-runs/{run.pk}/approve/", {})
    assert (response.status_code, response.json()["error"]["lock"]) == (409, "run_approval")
    assert CalculationRun.objects.get(pk=run.pk).status == "succeeded"


def test_the_admin_shows_busy_on_the_form_with_the_input_kept(world):
    personas, owner = world
    client = Client()
    client.login(username=personas.staff_a1.username, password=PASSWORD)
    form = {
        "smallholder": owner.pk,
        "code": "PCH-7",
        "boundary": cell(3).ewkt,
        "land_use_before": "coffee",
        "plantings-TOTAL_FORMS": "0",
        "plantings-INITIAL_FORMS": "0",
    }
    with held(PARCEL_BOUNDARIES, personas.project_a.pk):
        response = client.post("/admin/parcels/parcel/add/", form)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Alguien más está guardando o importando parcelas de este proyecto" in html
    assert 'value="PCH-7"' in html and not Parcel.objects.filter(code="PCH-7").exists()
    assert client.post("/admin/parcels/parcel/add/", form).status_code == 302  # free again


def test_the_run_page_says_busy_and_leaves_the_run_to_review(world):
    personas, _owner = world
    run = succeeded_run(personas.project_a)
    client = Client()
    client.login(username=personas.verifier.username, password=PASSWORD)
    with held(RUN_APPROVAL, personas.project_a.pk):
        url = f"/admin/quantification/calculationrun/{run.pk}/review/"
        page = client.post(url, {"decision": "approve"}, follow=True)
    assert "Otra corrida de este proyecto se está aprobando" in page.content.decode()
    assert CalculationRun.objects.get(pk=run.pk).status == "succeeded"
