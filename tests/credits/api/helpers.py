"""API steps shared by the tests: buy (reserve + manager confirms) and retire."""

from decimal import Decimal

from credits import services
from tests.credits.conftest import Ledger


def reserve(client, ledger: Ledger, quantity: int, **headers: str) -> dict:
    response = client.post(
        "/api/v1/reservations/",
        {
            "project": ledger.personas.project_a.code,
            "vintage": 2012,
            "unit_type": "VER",
            "quantity": quantity,
        },
        format="json",
        **headers,
    )
    assert response.status_code == 201, response.content
    return response.json()


def buy_and_retire(ledger: Ledger, client, *, quantity: int) -> dict:
    reservation = reserve(client, ledger, quantity)
    services.confirm_sale(
        reservation_id=reservation["id"],
        price_per_tonne=Decimal("10"),
        currency="EUR",
        invoice_reference="T",
        actor=ledger.personas.manager_a,
    )
    response = client.post(
        "/api/v1/retirements/",
        {
            "project": ledger.personas.project_a.code,
            "vintage": 2012,
            "quantity": quantity,
            "beneficiary": "Beneficiaria SA",
            "purpose": "Neutralidad",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()
