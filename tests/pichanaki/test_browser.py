"""A real Chromium logs into the admin in Spanish and switches to English."""

import pytest

from tests.base import PASSWORD, build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_logs_in_and_switches_language(live_server, page) -> None:
    build_personas()
    page.goto(f"{live_server.url}/admin/login/")
    assert "Carbono enraizado en la solidaridad" in page.content()
    page.fill("#id_username", "manager_a")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.locator("#site-name").inner_text().strip().startswith("pichanaki")
    assert "Administración del sitio" in page.content() or "Proyectos" in page.content()
    with page.expect_navigation():  # the switcher submits itself when the choice changes
        page.select_option("#language-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Carbon rooted in solidarity" in page.content()
