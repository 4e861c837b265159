import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from credits.api.keys import create_api_key
from credits.api.microcache import availability_cache
from tests.credits.conftest import Ledger


@pytest.fixture(autouse=True)
def _fresh_throttle_counters() -> None:
    cache.clear()
    availability_cache.clear()


def key_client(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


@pytest.fixture
def buyer_client(ledger: Ledger) -> APIClient:
    _key, raw = create_api_key(name="test", organisation=ledger.buyer)
    return key_client(raw)


@pytest.fixture
def manager_client(ledger: Ledger) -> APIClient:
    _key, raw = create_api_key(name="manager", user=ledger.personas.manager_a)
    return key_client(raw)
