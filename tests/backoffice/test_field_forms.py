"""The technician's day through the panel's forms: each write goes through the app's service,
and the service's refusals come back on the field the person filled in."""

import datetime as dt

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from parcels.models import Planting, Species, SurvivalCount
from smallholders.models import Cooperative, Smallholder


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_a_technician_registers_a_family_of_their_cooperative(demo) -> None:
    own = Cooperative.objects.get(code="cac-ubiriki")
    other = Cooperative.objects.get(code="cafe-kuviriari")
    url = reverse("backoffice:family-new", args=["pch"])
    technician = client_for("tecnico-cac-ubiriki")
    form = {"cooperative": own.pk, "dni": "47110815", "first_name": "Rosa", "last_name": "Quispe"}
    answer = technician.post(url, {**form, "community": "Alto Ubiriki"})
    created = Smallholder.objects.get(dni="47110815", project=demo)
    assert answer.status_code == 302 and answer.url.endswith(f"/families/{created.pk}/")
    assert created.cooperative == own and created.community == "Alto Ubiriki"
    assert created.memberships.count() == 1  # the service's membership, not a bare save

    again = technician.post(url, form).content.decode()
    assert 'role="alert"' in again and "DNI" in again.split('role="alert"')[1]
    assert Smallholder.objects.filter(dni="47110815").count() == 1
    refused = technician.post(url, {**form, "dni": "47110816", "cooperative": other.pk})
    assert refused.status_code == 200 and not Smallholder.objects.filter(dni="47110816").exists()


def test_plantings_and_survival_counts_go_through_the_services(demo) -> None:
    family = Smallholder.objects.filter(cooperative__code="cac-ubiriki").order_by("pk").first()
    parcel = family.parcels.first()
    technician = client_for("tecnico-cac-ubiriki")
    planting_url = reverse("backoffice:planting-new", args=["pch", family.pk])
    species = Species.objects.filter(max_density_per_ha__isnull=False).first()
    too_dense = species.max_density_per_ha * int(parcel.area_ha + 1) * 10
    base = {"parcel": parcel.pk, "species": species.pk, "planted_on": "2024-02-01"}
    dense = technician.post(
        planting_url, {**base, "trees_planted": too_dense, "arrangement": "shade"}
    )
    assert dense.status_code == 200 and 'class="field has-errors"' in dense.content.decode()
    assert not Planting.objects.filter(parcel=parcel, planted_on=dt.date(2024, 2, 1)).exists()
    fitting = int((species.min_density_per_ha or 0) + species.max_density_per_ha) // 2
    trees = max(1, int(fitting * parcel.area_ha))
    ok = technician.post(planting_url, {**base, "trees_planted": trees, "arrangement": "shade"})
    assert ok.status_code == 302
    planting = Planting.objects.get(parcel=parcel, planted_on=dt.date(2024, 2, 1))

    survival_url = reverse("backoffice:survival-new", args=["pch", family.pk])
    counted = {"planting": planting.pk, "counted_on": "2025-02-01"}
    too_many = technician.post(survival_url, {**counted, "trees_alive": trees + 1})
    assert too_many.status_code == 200 and 'role="alert"' in too_many.content.decode()
    assert technician.post(survival_url, {**counted, "trees_alive": 1}).status_code == 302
    assert SurvivalCount.objects.get(planting=planting).trees_alive == 1


def test_readers_and_other_cooperatives_cannot_write(demo) -> None:
    family = Smallholder.objects.filter(cooperative__code="cac-ubiriki").order_by("pk").first()
    for username in ("verificador", "tecnico-cafe-kuviriari"):
        client = client_for(username)
        assert (
            client.get(reverse("backoffice:survival-new", args=["pch", family.pk])).status_code
            == 404
        )
    assert (
        client_for("verificador").get(reverse("backoffice:family-new", args=["pch"])).status_code
        == 404
    )
