"""Where units are held: buyer organisations and the accounts of projects and buyers."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from credits.choices import AccountKind
from smallholders.models import Project


class BuyerOrganisation(models.Model):
    """A company or person that buys and retires credits; it has one ledger account."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    country = models.CharField(_("country (ISO code)"), max_length=2, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="buyer_organisations",
        verbose_name=_("members"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("buyer organisation")
        verbose_name_plural = _("buyer organisations")

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    """Where units are held: a project's issuance or buffer account, or a buyer's account."""

    kind = models.CharField(_("kind"), max_length=10, choices=AccountKind.choices)
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_accounts",
        verbose_name=_("project"),
    )
    organisation = models.OneToOneField(
        BuyerOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="account",
        verbose_name=_("buyer organisation"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=AccountKind.BUYER, organisation__isnull=False, project__isnull=True)
                    | (
                        Q(kind__in=[AccountKind.ISSUANCE, AccountKind.BUFFER])
                        & Q(organisation__isnull=True, project__isnull=False)
                    )
                ),
                name="%(app_label)s_%(class)s_owner_matches_kind",
                violation_error_message=_(
                    "Buyer accounts belong to an organisation; issuance and buffer accounts to a "
                    "project."
                ),
            ),
            models.UniqueConstraint(
                fields=["project", "kind"],
                condition=Q(project__isnull=False),
                name="%(app_label)s_%(class)s_one_per_project_kind",
                violation_error_message=_("This project already has an account of this kind."),
            ),
        ]

    def __str__(self) -> str:
        if self.kind == AccountKind.BUYER:
            return str(self.organisation)
        return f"{self.get_kind_display()} · {self.project}"
