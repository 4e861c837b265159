"""Helpers of the credit registry admin tests: logging in, operation URLs, ledger snapshots."""

import datetime as dt

from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from credits.models import (
    Conversion,
    CreditVintage,
    Issuance,
    LedgerEvent,
    Reservation,
    Retirement,
    Reversal,
    Sale,
    SerialBlock,
)
from tests.base import PASSWORD
from tests.credits.invariants import assert_ledger_invariants

VER_2012 = {"unit_type": "VER", "vintage": 2012}


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def op_url(name: str, reservation_id: int | None = None) -> str:
    args = [reservation_id] if reservation_id is not None else []
    return reverse(f"admin:credits_operation_{name}", args=args)


def counters(unit_type: str = "VER", vintage: int = 2012) -> dict[str, int]:
    row = CreditVintage.objects.get(project__code="pa", unit_type=unit_type, vintage=vintage)
    names = ("issued", "available", "reserved", "held", "buffer", "retired", "cancelled")
    return {name: getattr(row, name) for name in names}


def snapshot() -> tuple:
    """Everything an operation could change."""
    return (
        sorted(
            CreditVintage.objects.values_list(
                "pk", "issued", "available", "reserved", "held", "buffer", "retired", "cancelled"
            )
        ),
        sorted(SerialBlock.objects.values_list("pk", "state", "account_id")),
        LedgerEvent.objects.count(),
        sorted(Reservation.objects.values_list("pk", "status")),
        Issuance.objects.count(),
        Sale.objects.count(),
        Retirement.objects.count(),
        Reversal.objects.count(),
        Conversion.objects.count(),
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def assert_refused(response, before: tuple, text: str) -> None:
    """The service's message is shown on the re-rendered form and the ledger is unchanged."""
    assert response.status_code == 200
    assert any(text in m for m in messages_of(response)), messages_of(response)
    assert text in response.content.decode()
    assert snapshot() == before
    assert_ledger_invariants()


def reserve_form(ledger, quantity: int, **overrides) -> dict:
    expires = timezone.localtime() + dt.timedelta(days=3)
    return {
        "organisation": ledger.buyer.pk,
        "project": ledger.project_id,
        "unit_type": "VER",
        "vintage": 2012,
        "quantity": quantity,
        "expires_at": expires.strftime("%Y-%m-%dT%H:%M"),
        **overrides,
    }
