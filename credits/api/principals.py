"""Which ledger account a caller acts for, and what they may see (one rule per line)."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.request import Request

from credits import selectors
from credits.api.authentication import BuyerPrincipal
from credits.models import Account, BuyerOrganisation
from smallholders.choices import Role
from smallholders.selectors import scope_for


class NotABuyer(exceptions.PermissionDenied):
    default_code = "not_a_buyer"
    default_detail = _("Only a buyer organisation (its API key or its members) can do this.")


def buyer_organisation(request: Request) -> BuyerOrganisation | None:
    """The organisation a request acts for: the key's, or the buyer user's only organisation."""
    user = request.user
    if isinstance(user, BuyerPrincipal):
        return user.organisation
    if not user.is_authenticated or scope_for(user).role != Role.BUYER:
        return None
    organisations = list(user.buyer_organisations.all()[:2])
    return organisations[0] if len(organisations) == 1 else None


def buyer_account(request: Request) -> Account | None:
    """The caller's buyer account, looked up once per request (a write asks before its
    service runs and again to read its answer back)."""
    if not hasattr(request, "_buyer_account"):
        organisation = buyer_organisation(request)
        found = Account.objects.filter(organisation=organisation).first() if organisation else None
        request._buyer_account = found
    return request._buyer_account


def require_buyer_account(request: Request) -> Account:
    account = buyer_account(request)
    if account is None:
        raise NotABuyer()
    return account


def visible_by_project_or_account(request: Request, queryset: QuerySet) -> QuerySet:
    """Rows (with `project` and `account` fields) the caller may read: a buyer its own, a
    manager its projects', superusers and verifiers all; anyone else nothing."""
    account = buyer_account(request)
    if account is not None:
        return queryset.filter(account=account)
    scope = scope_for(request.user)
    if scope.reads_everything:
        return queryset
    if scope.role == Role.MANAGER:
        return queryset.filter(project_id__in=scope.project_ids)
    return queryset.none()


def manages_project(request: Request, project_id: int) -> bool:
    return selectors.manages_project(user=request.user, project_id=project_id)
