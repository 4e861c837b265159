"""Public registry pages in Spanish and English, without personal data."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from credits import services
from credits.models import Retirement
from smallholders.models import Smallholder

pytestmark = pytest.mark.django_db


@pytest.fixture
def retired(ledger) -> Retirement:
    Smallholder.objects.filter(pk=ledger.parcels[0].smallholder_id).update(phone="987654321")
    reservation = services.reserve_credits(
        account_id=ledger.buyer_account.pk,
        project_id=ledger.project_id,
        vintage=2012,
        unit_type="VER",
        quantity=40,
        expires_at=timezone.now() + dt.timedelta(hours=1),
        actor=None,
    )
    services.confirm_sale(
        reservation_id=reservation.pk,
        price_per_tonne=Decimal("11"),
        currency="USD",
        invoice_reference="F-9",
        actor=ledger.personas.manager_a,
    )
    return services.retire_credits(
        account_id=ledger.buyer_account.pk,
        project_id=ledger.project_id,
        vintage=2012,
        quantity=40,
        beneficiary="Municipalidad de Ejemplo",
        purpose="Huella 2024",
        retired_on=timezone.localdate(),
        actor=None,
    )


def _get(client, url: str, language: str):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _pages(ledger, retired) -> list[str]:
    serial = "PCH-PE-001-VER-2012-000000007"
    return [
        "/",
        "/registry/",
        f"/registry/projects/{ledger.personas.project_a.code}/",
        f"/registry/serials/?serial={serial}",
        f"/registry/retirements/{retired.verification_code}/",
    ]


@pytest.mark.parametrize(
    ("language", "words"),
    [("es", ["Registro de créditos", "Retiros"]), ("en", ["Credit registry", "Retirements"])],
)
def test_it_renders_the_registry_in_both_languages(client, ledger, retired, language, words):
    project_page = _get(client, f"/registry/projects/{ledger.personas.project_a.code}/", language)
    for word in words:
        assert word in project_page
    assert "Municipalidad de Ejemplo" in project_page
    assert "PCH-PE-001-VER-2012-000000001-000000040" in project_page
    assert 'class="readonly-map"' in project_page and "vendor/ol/ol.js" in project_page


@pytest.mark.parametrize("language", ["es", "en"])
def test_it_never_shows_personal_data(client, ledger, retired, language):
    holders = Smallholder.objects.filter(pk__in=[p.smallholder_id for p in ledger.parcels])
    secrets = [h.dni for h in holders] + [h.last_name for h in holders] + ["987654321"]
    for url in _pages(ledger, retired):
        page = _get(client, url, language)
        for secret in secrets:
            assert secret not in page, (url, secret)


def test_it_shows_a_serial_and_its_retirement(client, ledger, retired):
    page = _get(client, "/registry/serials/?serial=PCH-PE-001-VER-2012-000000007", "en")
    assert "PCH-PE-001-VER-2012-000000001-000000040" in page
    assert "Retired" in page and "Municipalidad de Ejemplo" in page


def test_it_explains_a_malformed_or_unknown_serial(client, ledger):
    assert "is not a serial" in _get(client, "/registry/serials/?serial=hello", "en")
    unknown = _get(client, "/registry/serials/?serial=PCH-PE-001-VER-2012-000009999", "en")
    assert "No live block holds these serials" in unknown


def test_it_verifies_a_retirement_and_404s_unknown_codes(client, ledger, retired):
    page = _get(client, f"/registry/retirements/{retired.verification_code}/", "es")
    assert "Verificación de retiro" in page and "Cooperativa a1" in page
    assert client.get("/registry/retirements/not-a-code/").status_code == 404
