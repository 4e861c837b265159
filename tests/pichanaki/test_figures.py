"""Figures are localised everywhere, with their unit's precision, and PER and VER never added."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.db.models import Sum
from django.test import Client
from django.utils import translation

from credits.models import CreditVintage, Reservation
from parcels.models import Parcel, Planting
from pichanaki import numbers
from tests.pichanaki.walker import SUPERUSER, seed_site

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("language", "value", "decimals", "shown"),
    [
        ("es", Decimal("243279.611"), 1, f"243{NBSP}279,6"),
        ("en", Decimal("243279.611"), 1, "243,279.6"),
        ("es", Decimal("1.7394"), 2, "1,74"),
        ("es", 736204, 0, f"736{NBSP}204"),
        ("es", None, 2, "—"),
    ],
)
def test_numbers_are_localised_with_their_precision(language, value, decimals, shown) -> None:
    with translation.override(language):
        assert numbers.number(value, decimals) == shown


@pytest.fixture
def demo(transactional_db) -> Client:
    seed_site(0.05)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    return client


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_registry_shows_ex_ante_and_verified_units_side_by_side(demo) -> None:
    issued = dict(CreditVintage.objects.values_list("unit_type").annotate(Sum("issued")).order_by())
    assert issued["PER"] and issued["VER"]
    with translation.override("es"):
        per, ver, both = (
            numbers.units(n) for n in (issued["PER"], issued["VER"], sum(issued.values()))
        )
    for url in ("/registry/", "/registry/projects/pch/"):
        page = _page(demo, url)
        assert per in page and ver in page, url
        assert both not in page and str(sum(issued.values())) not in page, url
        assert "Ex ante (planificado)" in page and "Verificado" in page


def test_admin_lists_localise_figures_with_the_units_precision(demo) -> None:
    demo.force_login(_superuser())
    vintage = CreditVintage.objects.order_by("-issued").first()
    # The realistic demo at this scale issues a few hundred units per vintage: the grouping
    # itself is checked on a figure that needs it.
    with translation.override("es"):
        assert numbers.units(1234567) == "1\xa0234\xa0567"
        assert numbers.hectares(Decimal("1234.5678")) == "1\xa0234,57"
    with translation.override("en"):
        assert numbers.units(1234567) == "1,234,567"
    parcel = Parcel.objects.order_by("pk").first()
    with translation.override("es"):
        issued = numbers.units(vintage.issued)
        area = numbers.hectares(parcel.area_ha)
    assert issued in _page(demo, "/admin/credits/creditvintage/")
    parcels = _page(demo, f"/admin/parcels/parcel/?q={parcel.code}")
    assert area in parcels
    assert f"{parcel.area_ha:.4f}".replace(".", ",") not in parcels  # not four stored places


def test_titles_and_breadcrumbs_are_spanish(demo) -> None:
    demo.force_login(_superuser())
    reservation = Reservation.objects.order_by("pk").first()
    page = _page(demo, f"/admin/credits/reservation/{reservation.pk}/change/")
    with translation.override("es"):
        assert f"({reservation.get_status_display()})" in page
    assert (
        f"({reservation.status})" not in page
        or reservation.get_status_display() == reservation.status
    )


def test_species_show_their_common_name_beside_the_scientific_name(demo) -> None:
    demo.force_login(_superuser())
    planting = (
        Planting.objects.select_related("species").exclude(species__common_name_es="").first()
    )
    species = planting.species
    page = _page(demo, "/admin/parcels/planting/")
    assert f"{species.common_name_es} ({species.scientific_name})" in page
    registry = _page(demo, "/registry/projects/pch/")
    assert f"{species.common_name_es} (<i>{species.scientific_name}</i>)" in registry


def _superuser():
    from django.contrib.auth.models import User

    return User.objects.get(username=SUPERUSER)
