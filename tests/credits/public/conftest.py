import pytest
from django.core.cache import cache

from credits.api.microcache import availability_cache


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()
    availability_cache.clear()
