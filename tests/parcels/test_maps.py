"""Maps: people who may only view a parcel see its boundary drawn, not its EWKT text."""

import pytest
from django.conf import settings
from django.test import Client

from tests.parcels.builders import make_parcel, make_smallholder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_verifier_sees_the_boundary_on_a_read_only_map(live_server, page, personas) -> None:
    parcel = make_parcel(make_smallholder(personas.project_a, personas.coop_a1))
    client = Client()
    client.force_login(personas.verifier)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/admin/parcels/parcel/{parcel.pk}/change/")
    assert "SRID=4326" not in page.content() and "MULTIPOLYGON" not in page.content()
    page.wait_for_selector(".readonly-map[data-ready=true] canvas")
    assert page.locator("textarea[name=boundary]").count() == 0  # nothing to edit
    box = page.locator(".readonly-map").bounding_box()
    assert box and box["width"] > 200 and box["height"] > 200
