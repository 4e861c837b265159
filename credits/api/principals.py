"""The API's words for the ledger's visibility rules, which live in `credits.selectors`."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.request import Request

from credits import selectors
from credits.models import Account


class NotABuyer(exceptions.PermissionDenied):
    default_code = "not_a_buyer"
    default_detail = _("Only a buyer organisation (its API key or its members) can do this.")


def buyer_account(request: Request) -> Account | None:
    """The caller's buyer account, looked up once per request (a write asks before its
    service runs and again to read its answer back)."""
    # A memo set on this request object only: DRF's Request declares no such attribute.
    if not hasattr(request, "_buyer_account"):
        request._buyer_account = selectors.buyer_account_for(user=request.user)  # type: ignore[attr-defined]
    return request._buyer_account  # type: ignore[attr-defined]


def require_buyer_account(request: Request) -> Account:
    account = buyer_account(request)
    if account is None:
        raise NotABuyer()
    return account


def visible_by_project_or_account(request: Request, queryset: QuerySet) -> QuerySet:
    return selectors.ledger_rows_for(queryset, user=request.user)


def manages_project(request: Request, project_id: int) -> bool:
    return selectors.manages_project(user=request.user, project_id=project_id)
