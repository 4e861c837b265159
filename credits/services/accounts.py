"""Registry entries and accounts: a project's issuance and buffer accounts, buyer organisations."""

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Max

from credits.choices import AccountKind
from credits.exceptions import InvalidOperation
from credits.models import Account, BuyerOrganisation, ProjectRegistry
from smallholders.models import Project


def ensure_project_registry(*, project: Project, prefix: str = "PCH") -> ProjectRegistry:
    """The project's registry entry, created with the next free project number if missing.

    Concurrent first calls may race for a number; the unique constraint decides and the loser
    retries once inside a savepoint.
    """
    existing = ProjectRegistry.objects.filter(project=project).first()
    if existing is not None:
        return existing
    for _attempt in range(3):
        number = (ProjectRegistry.objects.aggregate(n=Max("number"))["n"] or 0) + 1
        try:
            with transaction.atomic():  # savepoint: a lost race must not abort the caller
                return ProjectRegistry.objects.create(project=project, prefix=prefix, number=number)
        except IntegrityError:
            existing = ProjectRegistry.objects.filter(project=project).first()
            if existing is not None:
                return existing
    raise InvalidOperation("could not allocate a project number")  # pragma: no cover


def ensure_project_accounts(*, project: Project) -> tuple[Account, Account]:
    """The project's (issuance, buffer) accounts, created when missing."""
    issuance, _ = Account.objects.get_or_create(project=project, kind=AccountKind.ISSUANCE)
    buffer, _ = Account.objects.get_or_create(project=project, kind=AccountKind.BUFFER)
    return issuance, buffer


@transaction.atomic
def create_buyer_organisation(
    *,
    name: str,
    country: str = "",
    contact_name: str = "",
    contact_email: str = "",
    actor: User | None = None,
) -> BuyerOrganisation:
    """Create a buyer organisation and its ledger account (one transaction: never one alone).

    `actor` is accepted for symmetry with the other services (and future auditing).
    """
    organisation = BuyerOrganisation(
        name=name.strip(),
        country=country.upper(),
        contact_name=contact_name,
        contact_email=contact_email,
    )
    organisation.full_clean()
    organisation.save()
    Account.objects.create(kind=AccountKind.BUYER, organisation=organisation)
    return organisation
