"""Every persona against every API endpoint that exists: the denied paths included.

The route tables are read from the routers, and each route must be listed below with its
model and audience, so a new endpoint fails this test until someone decides who may see it.
Data: the demo project (scale 0.1) plus the personas' own projects A and B, which the demo's
rows are outside of. Detailed per-endpoint tests live with each app; this is the backstop that
no persona ever gets a 500, that anonymous callers get nothing private, and that objects outside
a person's scope are "not found".
"""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client

from benefits.api.urls import router as benefits_router
from credits.api.urls import router as credits_router
from parcels.api.urls import router as parcels_router
from smallholders.api.urls import router as smallholders_router
from tests.base import PASSWORD, build_personas

# basename -> (model label, audience). Audiences: "field" (scoped field data), "catalogue"
# (any signed-in person), "buyer" (a buyer's own ledger objects).
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
    "calculation-run": ("parcels.CalculationRun", "field"),
    "parameter-set": ("parcels.ParameterSet", "field"),
    "reservation": ("credits.Reservation", "buyer"),
    "retirement": ("credits.Retirement", "buyer"),
    "distribution": ("benefits.Distribution", "field"),
    "distributionline": ("benefits.DistributionLine", "field"),
    "paymentevent": ("benefits.PaymentEvent", "field"),
}
PUBLIC_PATHS = ["/api/v1/availability/"]
PERSONAS = ["root", "manager_a", "staff_a1", "staff_b1", "verifier", "buyer", "nobody"]
OUT_OF_SCOPE = ["manager_a", "staff_a1", "staff_b1"]  # none of them works on the demo project
REGISTRY = [
    (prefix, basename)
    for router in (smallholders_router, parcels_router, credits_router, benefits_router)
    for prefix, _viewset, basename in router.registry
]


@pytest.fixture
def world(db) -> None:
    # The demo first, so that `.first()` of every model is a demo row outside the personas' reach.
    call_command("seed_demo", scale=0.1, verbosity=0)
    return build_personas()


def client_for(username: str | None) -> Client:
    client = Client()
    if username:
        assert client.login(username=username, password=PASSWORD)
    return client


def test_every_route_has_a_declared_audience() -> None:
    assert sorted(basename for _prefix, basename in REGISTRY) == sorted(ROUTES)


@pytest.mark.parametrize(("prefix", "basename"), REGISTRY)
def test_lists_never_fail_and_stay_private(world, prefix: str, basename: str) -> None:
    url = f"/api/v1/{prefix}/"
    anonymous = client_for(None).get(url)
    assert anonymous.status_code in (401, 403), (url, anonymous.status_code)
    for username in PERSONAS:
        response = client_for(username).get(url)
        assert response.status_code in (200, 403), (url, username, response.status_code)
        assert response.headers["Content-Type"].startswith("application/")


@pytest.mark.parametrize(("prefix", "basename"), REGISTRY)
def test_details_outside_scope_are_not_found(world, prefix: str, basename: str) -> None:
    label, audience = ROUTES[basename]
    obj = apps.get_model(label).objects.order_by("pk").first()
    if obj is None:
        pytest.skip(f"the demo has no {label} yet")
    url = f"/api/v1/{prefix}/{obj.pk}/"
    assert client_for(None).get(url).status_code in (401, 403)
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
    assert client_for(None).post(url, {}, content_type="application/json").status_code in (
        401,
        403,
        405,
    )
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
