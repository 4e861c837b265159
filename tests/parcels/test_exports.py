import csv
import io
import json

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.core.files.base import ContentFile
from django.test import Client

from tests.base import PASSWORD
from tests.parcels.builders import cell, make_parcel, make_smallholder

pytestmark = pytest.mark.django_db


@pytest.fixture
def parcel(personas):
    owner = make_smallholder(personas.project_a, personas.coop_a1, first_name="Juana")
    return make_parcel(owner, "PCH-0147", cell(0))


def login(personas, name, language="es"):
    client = Client()
    client.login(username=getattr(personas, name).username, password=PASSWORD)
    client.cookies["django_language"] = language
    return client


def decimals(value: float) -> int:
    text = repr(value)
    return len(text.split(".")[1]) if "." in text else 0


def test_it_exports_eudr_geojson_with_6_decimals(personas, parcel):
    response = login(personas, "staff_a1").get("/parcels/export/eudr.geojson")
    assert response["Content-Type"] == "application/geo+json"
    body = json.loads(response.content)
    assert body["type"] == "FeatureCollection"
    feature = body["features"][0]
    assert feature["properties"]["ProducerName"] == "Juana Quispe"
    assert feature["properties"]["ProducerCountry"] == "PE"
    assert feature["properties"]["ProductionPlace"] == "PCH-0147"
    assert isinstance(feature["properties"]["Area"], float)
    ring = feature["geometry"]["coordinates"][0]
    assert feature["geometry"]["type"] == "Polygon"
    assert ring[0] == ring[-1] and len(ring) >= 4
    assert all(decimals(v) <= 6 for position in ring for v in position)
    geometry = GEOSGeometry(json.dumps(feature["geometry"]))
    assert geometry.valid
    assert geometry.equals_exact(parcel.boundary[0], 1e-6)


def test_it_exports_only_the_persons_parcels(personas, parcel):
    body = json.loads(login(personas, "staff_b1").get("/parcels/export/eudr.geojson").content)
    assert body["features"] == []
    assert login(personas, "buyer").get("/api/v1/parcels/export/eudr/").status_code == 403


def test_it_exports_parcels_csv_with_headers_in_the_active_language(personas, parcel):
    spanish = login(personas, "staff_a1", "es").get("/parcels/export/parcels.csv")
    rows = list(csv.reader(io.StringIO(spanish.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "código" and "superficie (ha)" in rows[0]
    assert rows[1][0] == "PCH-0147"
    assert rows[1][-1].startswith("POLYGON")
    english = login(personas, "staff_a1", "en").get("/parcels/export/parcels.csv")
    assert english.content.decode("utf-8-sig").startswith("code,")


def test_the_api_exports_filtered_parcels(personas, parcel):
    client = login(personas, "manager_a")
    body = client.get("/api/v1/parcels/export/eudr/?status=validated").json()
    assert body["features"] == []
    assert client.get("/api/v1/parcels/export/csv/").status_code == 200


def test_private_files_go_through_the_permission_checked_view(personas, parcel, settings):
    parcel.eligibility_file.save("evidence.pdf", ContentFile(b"%PDF-1.4 evidence"))
    owner = parcel.smallholder
    owner.agreement_document.save("agreement.pdf", ContentFile(b"%PDF-1.4 agreement"))
    url = f"/files/parcels/{parcel.pk}/eligibility"
    assert b"evidence" in b"".join(login(personas, "staff_a1").get(url).streaming_content)
    assert login(personas, "staff_b1").get(url).status_code == 404
    assert login(personas, "buyer").get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page
    agreement = f"/files/smallholders/{owner.pk}/agreement"
    assert login(personas, "manager_a").get(agreement).status_code == 200
    assert login(personas, "verifier").get(agreement).status_code == 404
    assert login(personas, "staff_b1").get(agreement).status_code == 404
    assert Client().get(f"/{settings.MEDIA_URL}{owner.agreement_document.name}").status_code == 404
