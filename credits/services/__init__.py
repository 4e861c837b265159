"""Ledger services: every write to the credit registry goes through these functions.

Each one locks (the CreditVintage rows, via `pichanaki.locking`), re-reads, checks, writes
new blocks and appends LedgerEvent rows in one durable transaction.
"""

from credits.services.accounts import (
    create_buyer_organisation,
    ensure_project_accounts,
    ensure_project_registry,
)
from credits.services.conversion import convert_ex_ante
from credits.services.issuance import issue_credits
from credits.services.ledger_checks import check_ledgers
from credits.services.movements import cancel_credits, retire_credits, transfer_credits
from credits.services.reservations import (
    confirm_sale,
    release_expired_reservations,
    release_reservation,
    reserve_credits,
)
from credits.services.reversals import record_reversal

__all__ = [
    "cancel_credits",
    "check_ledgers",
    "confirm_sale",
    "convert_ex_ante",
    "create_buyer_organisation",
    "ensure_project_accounts",
    "ensure_project_registry",
    "issue_credits",
    "record_reversal",
    "release_expired_reservations",
    "release_reservation",
    "reserve_credits",
    "retire_credits",
    "transfer_credits",
]
