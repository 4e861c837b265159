"""Worklists count what needs doing and link to it; the map serves parcels by bounding box."""

import datetime as dt
import re

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from parcels.choices import ParcelStatus
from parcels.models import Parcel, Planting, SurvivalCount
from smallholders.models import Cooperative

BOX = "-75.2,-11.4,-74.5,-10.6"


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def count_of(html: str, key: str) -> int:
    match = re.search(rf'data-key="{key}"><a href="([^"]+)"><span class="count">([\d.\xa0]+)', html)
    assert match, key
    return int(re.sub(r"[.\xa0]", "", match.group(2)))


def test_draft_parcels_and_low_survival_show_in_the_worklist(
    demo, django_capture_on_commit_callbacks, tasks_run_inline
) -> None:
    url = reverse("backoffice:dashboard", args=["pch"])
    before = client_for("gestor").get(url).content.decode()
    # Committed writes (the rollups follow commits, not rows written inside a transaction).
    with django_capture_on_commit_callbacks(execute=True):
        parcel = Parcel.objects.filter(project=demo, status=ParcelStatus.VALIDATED).first()
        parcel.status = ParcelStatus.SUBMITTED
        parcel.save()
        planting = Planting.objects.filter(parcel__project=demo).order_by("pk").last()
        SurvivalCount.objects.create(
            planting=planting,
            counted_on=dt.date(2030, 1, 1),
            trees_alive=planting.trees_planted // 4,
        )
    after = client_for("gestor").get(url).content.decode()
    assert count_of(after, "parcels") == count_of(before, "parcels") + 1
    assert count_of(after, "survival") >= 1
    listed = client_for("gestor").get(reverse("backoffice:low-survival", args=["pch"]))
    assert parcel.code in listed.content.decode() or planting.parcel.code in listed.content.decode()


def test_the_map_serves_the_parcels_in_the_box_of_the_persons_scope(demo) -> None:
    url = reverse("backoffice:map-data", args=["pch"])
    every = client_for("gestor").get(url, {"bbox": BOX, "measure": "cooperative"}).json()
    assert len(every["features"]) == Parcel.objects.filter(project=demo).count()
    own = Cooperative.objects.get(code="cac-ubiriki")
    mine = client_for("tecnico-cac-ubiriki").get(url, {"bbox": BOX, "measure": "status"}).json()
    assert {f["properties"]["cooperative"] for f in mine["features"]} == {own.name}
    empty = client_for("gestor").get(url, {"bbox": "10,10,11,11"}).json()
    assert empty["features"] == []
    for measure in ("tco2e_ha", "monitored", "survival"):
        data = client_for("gestor").get(url, {"bbox": BOX, "measure": measure}).json()
        assert any(f["properties"]["value"] is not None for f in data["features"]), measure


def test_the_map_refuses_a_bad_box_or_measure_with_a_reason(demo) -> None:
    url = reverse("backoffice:map-data", args=["pch"])
    client = client_for("gestor")
    assert client.get(url, {"bbox": "a,b,c,d"}).status_code == 400
    assert client.get(url, {"bbox": "1,1,0,0"}).status_code == 400
    assert client.get(url, {"bbox": BOX, "measure": "dni"}).status_code == 400
    page = client.get(reverse("backoffice:map", args=["pch"])).content.decode()
    assert "vendor/ol/ol.js" in page and "http" not in re.sub(r'href="[^"]*"', "", page).split(
        "<main>"
    )[1].split("</main>")[0].replace("http-equiv", "")


def test_each_role_sees_the_work_it_can_act_on(demo) -> None:
    url = reverse("backoffice:dashboard", args=["pch"])
    keys = {
        username: set(
            re.findall(r'data-key="(\w+)"', client_for(username).get(url).content.decode())
        )
        for username in ("gestor", "tecnico-cac-ubiriki", "verificador")
    }
    assert {"runs", "reservations", "parcels", "imports"} <= keys["gestor"]
    assert "runs" not in keys["tecnico-cac-ubiriki"]
    assert "reservations" not in keys["tecnico-cac-ubiriki"]
    assert "imports" in keys["tecnico-cac-ubiriki"]
    assert "runs" in keys["verificador"] and "imports" not in keys["verificador"]
    for username in ("gestor", "tecnico-cac-ubiriki", "verificador"):
        client = client_for(username)
        page = client.get(url).content.decode()
        for link in re.findall(r'data-key="\w+"><a href="([^"]+)"', page):
            assert client.get(link).status_code == 200, (username, link)


def test_the_map_page_says_which_source_it_draws_from(demo, settings) -> None:
    page = client_for("gestor").get(reverse("backoffice:map", args=["pch"])).content.decode()
    assert ("data-mvt=" in page) == settings.POSTGRES
    tile = reverse("backoffice:map-tile", args=["pch", 0, 0, 0])
    assert (client_for("gestor").get(tile).status_code == 200) == settings.POSTGRES
