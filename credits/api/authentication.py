"""`Authorization: Api-Key <key>` for buyer organisations and for personal keys of staff.

An organisation key makes `request.user` a `BuyerPrincipal` (no Django user behind it); a
personal key makes it the key's user, with that person's role and scope. Bad, expired and
revoked keys are refused with 401; a request without the header falls through to the session.
"""

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from credits.models.access import ApiKey, split_prefix

KEYWORD = "Api-Key"
LAST_USED_RESOLUTION = timedelta(minutes=1)  # write last_used_at at most once a minute


class BuyerPrincipal(AnonymousUser):
    """The caller of an organisation key: authenticated, but no person and no staff rights."""

    def __init__(self, api_key: ApiKey) -> None:
        super().__init__()
        self.api_key = api_key
        self.organisation = api_key.organisation
        self.username = f"api-key:{api_key.prefix}"

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def is_authenticated(self) -> bool:
        return True

    def __str__(self) -> str:
        return str(self.organisation)


def principal_of(request: Request) -> str:
    """A stable name for who is calling, for idempotency records and throttling."""
    user = request.user
    if isinstance(user, BuyerPrincipal):
        return f"org:{user.organisation.pk}"
    if user.is_authenticated:
        return f"user:{user.pk}"
    return "anonymous"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[object, ApiKey] | None:
        header = authentication.get_authorization_header(request).decode(errors="replace")
        keyword, _sep, raw_key = header.partition(" ")
        if keyword != KEYWORD:
            return None
        api_key = _usable_key(raw_key.strip())
        _touch(api_key)
        if api_key.organisation_id is not None:
            return BuyerPrincipal(api_key), api_key
        if not api_key.user.is_active:
            raise exceptions.AuthenticationFailed(_("This API key's user is inactive."))
        return api_key.user, api_key

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


def _usable_key(raw_key: str) -> ApiKey:
    prefix = split_prefix(raw_key)
    api_key = (
        ApiKey.objects.select_related("organisation", "user").filter(prefix=prefix).first()
        if prefix
        else None
    )
    if api_key is None or not api_key.matches(raw_key):
        raise exceptions.AuthenticationFailed(_("Invalid API key."))
    if not api_key.is_usable():
        raise exceptions.AuthenticationFailed(_("This API key has expired or was revoked."))
    return api_key


def _touch(api_key: ApiKey) -> None:
    now = timezone.now()
    if api_key.last_used_at and now - api_key.last_used_at < LAST_USED_RESOLUTION:
        return
    # A plain UPDATE, outside any lock: the exact time of last use is informative only.
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now


from credits.api import schema as _schema  # noqa: E402, F401  (registers the OpenAPI scheme)
