"""The credit registry's models, by concept: :mod:`.registry` (project entries, vintages),
:mod:`.accounts`, :mod:`.events` (the append-only ledger), :mod:`.issuance`, :mod:`.trade`,
:mod:`.blocks` (serial blocks), :mod:`.access` (API keys) and :mod:`.checks` (the scheduled
checks of the hash chains). Every model is exported here."""

from credits.models.access import ApiKey, IdempotencyRecord
from credits.models.accounts import Account, BuyerOrganisation
from credits.models.blocks import SerialBlock
from credits.models.checks import LedgerCheck
from credits.models.events import AppendOnlyError, LedgerChainHead, LedgerEvent
from credits.models.issuance import Conversion, Issuance, IssuanceContribution, Reversal
from credits.models.registry import CreditVintage, ProjectRegistry
from credits.models.trade import Reservation, Retirement, Sale

__all__ = [
    "ApiKey",
    "IdempotencyRecord",
    "Account",
    "AppendOnlyError",
    "BuyerOrganisation",
    "Conversion",
    "CreditVintage",
    "Issuance",
    "IssuanceContribution",
    "LedgerChainHead",
    "LedgerCheck",
    "LedgerEvent",
    "ProjectRegistry",
    "Reservation",
    "Retirement",
    "Reversal",
    "Sale",
    "SerialBlock",
]
