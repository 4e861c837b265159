from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person may see and do; superusers are `User.is_superuser`, not a role."""

    STAFF = "staff", _("Cooperative staff")
    MANAGER = "manager", _("Project manager")
    VERIFIER = "verifier", _("Verifier")
    BUYER = "buyer", _("Buyer")


class Language(models.TextChoices):
    ES = "es", _("Spanish")
    EN = "en", _("English")


class Standard(models.TextChoices):
    CARBONFIX = "carbonfix", "CarbonFix"
    GOLD_STANDARD = "gold_standard", "Gold Standard"
    PLAN_VIVO = "plan_vivo", "Plan Vivo"
    VCS = "vcs", "Verra VCS"
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNDISCLOSED = "undisclosed", _("Prefers not to say")


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    MOBILE_WALLET = "mobile_wallet", _("Mobile wallet (Yape/Plin)")
    COOPERATIVE = "cooperative", _("Paid through the cooperative")
