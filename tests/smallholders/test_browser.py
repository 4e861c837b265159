"""A cooperative's staff member signs in to the admin (in Spanish) and registers a farmer."""

import pytest

from smallholders.models import Smallholder
from tests.base import PASSWORD, build_personas


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_register_a_smallholder_in_the_spanish_admin(live_server, page):
    personas = build_personas()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", personas.staff_a1.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/smallholders/smallholder/add/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert "Datos personales" in page.content()
    page.select_option("#id_project", str(personas.project_a.pk))
    page.select_option("#id_cooperative", str(personas.coop_a1.pk))
    page.fill("#id_dni", "42345678")
    page.fill("#id_first_name", "Rosa")
    page.fill("#id_last_name", "Huamán")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/smallholders/smallholder/")
    assert "se agregó con éxito" in page.content() or "fue agregado" in page.content()
    created = Smallholder.objects.get(dni="42345678")
    assert created.cooperative_id == personas.coop_a1.pk
    assert created.memberships.count() == 1
