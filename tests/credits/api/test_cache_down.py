"""A dead cache Redis (CACHE_URL; the compose layout shares one server with the broker).

The cache holds throttle counters and project facts only, so it fails open: the buyer API and
the registry answer from the database, and throttling lets requests through, never a 500.
"""

import pytest
from django.test import Client

from credits.api.microcache import availability_cache
from pichanaki.cache import cache_setting
from tests.credits.api.helpers import reserve
from tests.private_redis import PrivateRedis, private_redis  # noqa: F401 (fixture)

SERIAL = "PCH-PE-001-VER-2012-000000007"


@pytest.fixture
def cache_redis(settings, private_redis: PrivateRedis) -> PrivateRedis:  # noqa: F811
    settings.CACHES = {"default": cache_setting(private_redis.url(1))}
    return private_redis


def _buyer_reads(ledger) -> list[str]:
    project = ledger.personas.project_a.code
    return [
        f"/api/v1/availability/?project={project}",
        "/api/v1/holdings/",
        "/api/v1/reservations/",
        f"/api/v1/serials/{SERIAL}/",
    ]


@pytest.mark.django_db
def test_the_buyer_api_and_the_registry_answer_with_the_cache_dead(
    ledger, buyer_client, cache_redis: PrivateRedis
) -> None:
    public = Client()
    project_page = f"/registry/projects/{ledger.personas.project_a.code}/"
    for url in _buyer_reads(ledger):
        assert buyer_client.get(url).status_code == 200, url
    assert public.get(project_page).status_code == 200
    assert cache_redis.client(1).dbsize() > 0  # the counters and facts really live in Redis

    cache_redis.stop()
    availability_cache.clear()  # the process-local micro-cache too: every answer is computed

    for url in _buyer_reads(ledger):
        response = buyer_client.get(url)
        assert response.status_code == 200, (url, response.content)
    assert reserve(buyer_client, ledger, 5)["quantity"] == 5
    assert public.get(project_page).status_code == 200
    assert public.get(f"/registry/serials/?serial={SERIAL}").status_code == 200


@pytest.mark.django_db
def test_throttling_fails_open_while_the_cache_is_dead(
    ledger, buyer_client, cache_redis: PrivateRedis, settings
) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "buyer": "3/min",
        },
    }
    statuses = [buyer_client.get("/api/v1/holdings/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]  # with Redis up the shared counter limits

    cache_redis.stop()
    statuses = [buyer_client.get("/api/v1/holdings/").status_code for _ in range(6)]
    assert statuses == [200] * 6


@pytest.mark.django_db
def test_the_cache_comes_back_when_redis_does(settings, cache_redis: PrivateRedis) -> None:
    from django.core.cache import cache

    cache.set("k", "v", 60)
    cache_redis.stop()
    assert cache.get("k") is None  # a miss, not an error
    cache.set("k", "w", 60)  # dropped, not an error
    with pytest.raises(ValueError):
        cache.incr("k")  # as for a missing key
    cache_redis.start()  # empty: no persistence, like a crashed cache
    settings.CACHES = {"default": cache_setting(cache_redis.url(1))}  # past the pause
    cache.set("k", "x", 60)
    assert cache.get("k") == "x"
