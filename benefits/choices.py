from django.db import models
from django.utils.translation import gettext_lazy as _


class Basis(models.TextChoices):
    GROSS = "gross", _("Gross price")
    NET = "net", _("Net of itemised costs")


class SplitMethod(models.TextChoices):
    CONTRIBUTION = "contribution", _("Units contributed to the sold blocks")
    TREES = "trees", _("Surviving trees")
    AREA = "area", _("Area")
    EQUAL = "equal", _("Equal per family")
    MIX = "mix", _("Weighted mix")


class AfterDeadline(models.TextChoices):
    RETURN_TO_POOL = "return_to_pool", _("Returned to the producers' pool")
    COMMUNITY_FUND = "community_fund", _("Moved to the community fund")


class Clawback(models.TextChoices):
    NEVER = "never", _("Never")
    FUTURE_SHARES = "future_shares", _("From future shares")


class DistributionStatus(models.TextChoices):
    PREVIEW = "preview", _("Preview")
    APPROVED = "approved", _("Approved")


class LineStatus(models.TextChoices):
    ACCRUED = "accrued", _("Accrued")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    WITHHELD = "withheld", _("Withheld (held in trust)")
    CANCELLED = "cancelled", _("Cancelled")


class PaymentMethod(models.TextChoices):
    BANK = "bank", _("Bank transfer (CCI)")
    YAPE = "yape", _("Mobile wallet: Yape")
    PLIN = "plin", _("Mobile wallet: Plin")
    CASH = "cash", _("Cash with signed receipt")


class TrustStatus(models.TextChoices):
    HELD = "held", _("Held in trust")
    RELEASED = "released", _("Released")
    RETURNED = "returned", _("Returned after the deadline")


class GrievanceStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
    REJECTED = "rejected", _("Rejected")
