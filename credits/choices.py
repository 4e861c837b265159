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
