"""Reversals: trees lost on parcels; the equivalent buffer units are cancelled."""

import math
from collections.abc import Sequence
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _

from credits.choices import AccountKind, BlockState, EventKind, UnitType
from credits.exceptions import InvalidOperation
from credits.models import Account, CreditVintage, Reversal
from credits.services._core import VintageKey, carve, live_blocks, lock_vintages
from credits.services.movements import cancel_taken
from credits.services.operation import ledger_operation
from parcels.models import Parcel


@ledger_operation
def record_reversal(
    *,
    project_id: int,
    quantity_tco2e: Decimal,
    parcel_ids: Sequence[int],
    reason: str,
    actor: User | None,
) -> Reversal:
    """Record a loss of `quantity_tco2e` on parcels and cancel as many verified buffer units.

    The loss is rounded up to whole units (conservative). Buffer units are cancelled oldest
    vintage first; what the buffer cannot cover is recorded as the reversal's `shortfall`,
    never hidden. Locks: every verified CreditVintage row of the project (pk order).
    Raises InvalidOperation (no loss, no reason, parcels of another project), CreditsBusy.
    Side effects: a Reversal (with its parcels) and one REVERSAL event per vintage touched.
    """
    if not isinstance(quantity_tco2e, Decimal) or not quantity_tco2e > 0:
        raise InvalidOperation(_("The loss must be a positive number of tonnes."))
    if not reason.strip():
        raise InvalidOperation(_("A reversal needs a reason."))
    parcels = list(Parcel.objects.filter(pk__in=parcel_ids, project_id=project_id))
    if len(parcels) != len(set(parcel_ids)):
        raise InvalidOperation(_("Some parcels do not exist or belong to another project."))
    units = math.ceil(quantity_tco2e)
    keys = [
        VintageKey(project_id, UnitType.VERIFIED, v)
        for v in CreditVintage.objects.filter(project_id=project_id, unit_type=UnitType.VERIFIED)
        .order_by("vintage")
        .values_list("vintage", flat=True)
    ]
    rows = lock_vintages(keys)
    now = timezone.now()  # after the lock: events are timestamped in the order they commit
    reversal = Reversal.objects.create(
        project_id=project_id,
        quantity_tco2e=quantity_tco2e,
        units_cancelled=0,
        shortfall=units,
        reason=reason,
        recorded_by=actor,
        created_at=now,
    )
    reversal.parcels.set(parcels)
    buffer = Account.objects.filter(project_id=project_id, kind=AccountKind.BUFFER).first()
    remaining = units
    for key in keys:
        if remaining == 0 or buffer is None:
            break
        blocks = live_blocks(key=key, account_id=buffer.pk, state=BlockState.ACTIVE)
        take = min(remaining, sum(b.quantity for b in blocks))
        if take:
            cancel_taken(
                rows[key],
                key,
                buffer,
                carve(blocks, take),
                kind=EventKind.REVERSAL,
                reason=reason,
                actor=actor,
                now=now,
                reference={"reversal_id": reversal.pk, "parcel_ids": sorted(set(parcel_ids))},
            )
            remaining -= take
    reversal.units_cancelled, reversal.shortfall = units - remaining, remaining
    reversal.save(update_fields=["units_cancelled", "shortfall"])
    return reversal
