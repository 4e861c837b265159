"""Rate limits of the buyer API. Buyers (organisation keys, buyer accounts) and anonymous
callers are throttled; project staff are not. Rates are `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`
entries (settings, from the environment), read on every request so tests can override them."""

from django.core.cache.backends.locmem import LocMemCache
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from credits.api.authentication import BuyerPrincipal, principal_of
from smallholders.choices import Role
from smallholders.selectors import scope_for

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def is_buyer(request: Request) -> bool:
    if isinstance(request.user, BuyerPrincipal):
        return True
    return scope_for(request.user).role == Role.BUYER


class _ReadRateAtRequest(SimpleRateThrottle):
    def __init__(self) -> None:  # the parent reads the rate once, at import; we read it per call
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class BuyerThrottle(_ReadRateAtRequest):
    """Every request of a buyer, per organisation (or buyer account)."""

    scope = "buyer"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not is_buyer(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": principal_of(request)}


class BuyerWriteThrottle(BuyerThrottle):
    """Writes (reserve, release, retire) of a buyer: a lower rate, like registries' retirement
    rate limits."""

    scope = "buyer_write"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if request.method in SAFE_METHODS:
            return None
        return super().get_cache_key(request, view)


class AnonymousThrottle(_ReadRateAtRequest):
    """Public endpoints called without a key, per client address.

    Counted in each server process's memory, not in the shared cache: public reads are cheap
    (availability is micro-cached), so a limit per process (N workers allow N× the rate) is
    enough, and it spares every anonymous request two round trips to Redis. Buyers' limits
    are shared through the default cache.
    """

    scope = "anonymous"
    cache = LocMemCache("credits-anonymous-throttle", {"OPTIONS": {"MAX_ENTRIES": 10_000}})

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


BUYER_API_THROTTLES = [AnonymousThrottle, BuyerThrottle, BuyerWriteThrottle]
