import datetime as dt
from decimal import Decimal

from django.utils import timezone

from credits import services
from credits.models import Reservation


def reserve(
    ledger,
    quantity: int,
    *,
    vintage: int = 2012,
    unit_type: str = "VER",
    minutes: int = 30,
    account=None,
) -> Reservation:
    return services.reserve_credits(
        account_id=(account or ledger.buyer_account).pk,
        project_id=ledger.project_id,
        vintage=vintage,
        unit_type=unit_type,
        quantity=quantity,
        expires_at=timezone.now() + dt.timedelta(minutes=minutes),
        actor=ledger.personas.buyer,
    )


def buy(ledger, quantity: int, **kwargs):
    reservation = reserve(ledger, quantity, **kwargs)
    return services.confirm_sale(
        reservation_id=reservation.pk,
        price_per_tonne=Decimal("15.00"),
        currency="USD",
        invoice_reference="F001-1",
        actor=ledger.personas.manager_a,
    )


def today() -> dt.date:
    return timezone.localdate()
