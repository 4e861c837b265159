from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitType(models.TextChoices):
    """Ex-ante (planned, forward) units may be sold but never retired; verified units may."""

    EX_ANTE = "PER", _("Ex-ante (planned)")
    VERIFIED = "VER", _("Verified")


class AccountKind(models.TextChoices):
    ISSUANCE = "issuance", _("Issuance")
    BUFFER = "buffer", _("Buffer pool")
    BUYER = "buyer", _("Buyer")


class BlockState(models.TextChoices):
    """A block's state. Only `superseded` blocks are not live: they were split or moved."""

    ACTIVE = "active", _("Active")
    RESERVED = "reserved", _("Reserved")
    RETIRED = "retired", _("Retired")
    CANCELLED = "cancelled", _("Cancelled")
    SUPERSEDED = "superseded", _("Superseded")


class ReservationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONFIRMED = "confirmed", _("Confirmed (sold)")
    RELEASED = "released", _("Released")
    EXPIRED = "expired", _("Expired")


class EventKind(models.TextChoices):
    ISSUE = "issue", _("Issuance")
    RESERVE = "reserve", _("Reservation")
    RELEASE = "release", _("Reservation released")
    EXPIRE = "expire", _("Reservation expired")
    SELL = "sell", _("Sale")
    TRANSFER = "transfer", _("Transfer")
    RETIRE = "retire", _("Retirement")
    CANCEL = "cancel", _("Cancellation")
    REVERSAL = "reversal", _("Reversal (buffer cancellation)")
    CONVERT = "convert", _("Ex-ante conversion")


class ChainProblem(models.TextChoices):
    """Why a ledger check found a project's chain broken (`LedgerCheck.problem`): a break in
    the chain itself (`pichanaki.hashchain`), or a chain that no longer holds the head an
    earlier check recorded (`pichanaki.ledgers`)."""

    MISSING = "missing", _("Events missing")
    DUPLICATE = "duplicate", _("An event inserted")
    PREVIOUS = "previous", _("An event not linked to the one before")
    CONTENT = "content", _("An event edited")
    HEAD = "head", _("The chain does not end at its head")
    SHORTER = "shorter", _("Shorter than at an earlier check")
    REWRITTEN = "rewritten", _("Rewritten since an earlier check")
