"""Every persona against every API endpoint that exists: the denied paths included.

The route tables are read from the routers, and each route must be listed below with its
model and audience, so a new endpoint fails this test until someone decides who may see it.
Data: the demo project (scale 0.1) plus the personas' own projects A and B, which the demo's
rows are outside of. Detailed per-endpoint tests live with each app; this is the backstop that
no persona ever gets a 500, that callers without valid credentials get 401 (one rule, with
`WWW-Authenticate`), that buyers reach only their audience, and that objects outside a person's
scope are "not found".
"""

import datetime as dt

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from benefits.api.urls import router as benefits_router
from credits.api.keys import create_api_key, revoke_api_key
from credits.api.urls import router as credits_router
from credits.models import ApiKey, BuyerOrganisation
from parcels.api.urls import router as parcels_router
from quantification.api.urls import router as quantification_router
from smallholders.api.urls import router as smallholders_router
from tests.base import PASSWORD, build_personas

# basename -> (model label, audience). Audiences: "field" (scoped field data and calculations),
# "catalogue" (every person working in projects, not buyers), "buyer" (a buyer's own ledger
# objects; managers see their projects').
ROUTES = {
    "project": ("smallholders.Project", "field"),
    "cooperative": ("smallholders.Cooperative", "field"),
    "smallholder": ("smallholders.Smallholder", "field"),
    "species": ("parcels.Species", "catalogue"),
    "stratum": ("parcels.Stratum", "field"),
    "parcel": ("parcels.Parcel", "field"),
    "planting": ("parcels.Planting", "field"),
    "survivalcount": ("parcels.SurvivalCount", "field"),
    "monitoringplot": ("parcels.MonitoringPlot", "field"),
    "treemeasurement": ("parcels.TreeMeasurement", "field"),
    "calculation-run": ("quantification.CalculationRun", "field"),
    "parameter-set": ("quantification.ParameterSet", "field"),
    "reservation": ("credits.Reservation", "buyer"),
    "retirement": ("credits.Retirement", "buyer"),
    "distribution": ("benefits.Distribution", "field"),
    "distributionline": ("benefits.DistributionLine", "field"),
    "paymentevent": ("benefits.PaymentEvent", "field"),
    "distributionjob": ("benefits.DistributionJob", "field"),
}
PUBLIC_PATHS = [
    "/api/v1/availability/",
    f"/api/v1/kept-heads/credits/pch/?position=1&hash={'0' * 64}",
    f"/api/v1/kept-heads/payments/pch/?position=1&hash={'0' * 64}",
]
PERSONAS = ["root", "manager_a", "staff_a1", "staff_b1", "verifier", "buyer", "nobody"]
OUT_OF_SCOPE = ["manager_a", "staff_a1", "staff_b1"]  # none of them works on the demo project
REGISTRY = [
    (prefix, basename)
    for router in (
        smallholders_router,
        parcels_router,
        quantification_router,
        credits_router,
        benefits_router,
    )
    for prefix, _viewset, basename in router.registry
]


BAD_KEYS = ["wrong", "expired", "revoked"]


@pytest.fixture
def world(db) -> None:
    # The demo first, so that `.first()` of every model is a demo row outside the personas' reach.
    call_command("seed_demo", scale=0.1, verbosity=0)
    return build_personas()


@pytest.fixture
def keys(world) -> dict[str, str]:
    """Raw keys: the demo buyer organisation's, and a wrong, an expired and a revoked one."""
    organisation = BuyerOrganisation.objects.order_by("pk").first()
    raw = {
        name: create_api_key(name=name, organisation=organisation, expires_days=1)
        for name in ("buyer_key", "expired", "revoked")
    }
    ApiKey.objects.filter(pk=raw["expired"][0].pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    revoke_api_key(api_key=raw["revoked"][0])
    return {"wrong": "pch_00000000_not-a-key", **{name: key for name, (_row, key) in raw.items()}}


def client_for(username: str | None) -> Client:
    client = Client()
    if username:
        assert client.login(username=username, password=PASSWORD)
    return client


def key_client(raw_key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")


def assert_asks_for_credentials(response) -> None:
    assert response.status_code == 401, (response.request["PATH_INFO"], response.status_code)
    assert response.headers["WWW-Authenticate"] == "Api-Key"
    assert response.json()["error"]["code"] in ("not_authenticated", "authentication_failed")


def test_every_route_has_a_declared_audience() -> None:
    assert sorted(basename for _prefix, basename in REGISTRY) == sorted(ROUTES)


@pytest.mark.parametrize(("prefix", "basename"), REGISTRY)
def test_lists_never_fail_and_stay_private(world, prefix: str, basename: str) -> None:
    url = f"/api/v1/{prefix}/"
    assert_asks_for_credentials(client_for(None).get(url))
    for username in PERSONAS:
        response = client_for(username).get(url)
        assert response.status_code in (200, 403), (url, username, response.status_code)
        assert response.headers["Content-Type"].startswith("application/")


def test_buyers_reach_only_their_audience(world, keys) -> None:
    """A buyer organisation's key and a buyer user: their own ledger objects, nothing else."""
    callers = {"buyer key": key_client(keys["buyer_key"]), "buyer user": client_for("buyer")}
    for prefix, basename in REGISTRY:
        label, audience = ROUTES[basename]
        obj = apps.get_model(label).objects.order_by("pk").first()
        urls = [f"/api/v1/{prefix}/", *([f"/api/v1/{prefix}/{obj.pk}/"] if obj else [])]
        for caller, client in callers.items():
            for url in urls:
                status = client.get(url).status_code
                if audience == "buyer":
                    assert status in (200, 404), (url, caller, status)  # others': not found
                else:
                    assert status == 403, (url, caller, status)
        if audience == "buyer":
            assert callers["buyer key"].get(urls[0]).status_code == 200


@pytest.mark.parametrize("bad_key", BAD_KEYS)
def test_bad_keys_get_401_everywhere(world, keys, bad_key: str) -> None:
    client = key_client(keys[bad_key])
    assert_asks_for_credentials(client.get("/api/v1/availability/"))
    for prefix, _basename in REGISTRY:
        for url in (f"/api/v1/{prefix}/", f"/api/v1/{prefix}/1/"):
            assert_asks_for_credentials(client.get(url))
        assert_asks_for_credentials(client.post(f"/api/v1/{prefix}/", {}, "application/json"))


@pytest.mark.parametrize(("prefix", "basename"), REGISTRY)
def test_details_outside_scope_are_not_found(world, prefix: str, basename: str) -> None:
    label, audience = ROUTES[basename]
    obj = apps.get_model(label).objects.order_by("pk").first()
    if obj is None:
        pytest.skip(f"the demo has no {label} yet")
    url = f"/api/v1/{prefix}/{obj.pk}/"
    assert_asks_for_credentials(client_for(None).get(url))
    if audience == "catalogue":
        for username in PERSONAS[:-2]:
            assert client_for(username).get(url).status_code == 200, (url, username)
        return
    assert client_for("root").get(url).status_code == 200, url
    for username in [*OUT_OF_SCOPE, "buyer", "nobody"]:
        status = client_for(username).get(url).status_code
        assert status in (403, 404), (url, username, status)
        if username in OUT_OF_SCOPE:
            assert status == 404, (url, username, status)


@pytest.mark.parametrize(("prefix", "basename"), REGISTRY)
def test_writes_are_refused_to_those_who_may_not_write(world, prefix: str, basename: str) -> None:
    url = f"/api/v1/{prefix}/"
    assert_asks_for_credentials(client_for(None).post(url, {}, content_type="application/json"))
    for username in PERSONAS:
        response = client_for(username).post(url, {}, content_type="application/json")
        assert response.status_code < 500, (url, username, response.status_code)
        if username in ("verifier", "nobody") and ROUTES[basename][1] == "field":
            assert response.status_code in (400, 403, 404, 405), (url, username)


@pytest.mark.parametrize("url", PUBLIC_PATHS)
def test_public_endpoints_answer_everyone_without_personal_data(world, url: str) -> None:
    from smallholders.models import Smallholder

    dnis = list(Smallholder.objects.values_list("dni", flat=True)[:50])
    for username in [None, *PERSONAS]:
        response = client_for(username).get(url)
        assert response.status_code == 200, (url, username)
        assert not any(dni in response.text for dni in dnis)
