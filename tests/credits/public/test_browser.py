"""A real browser looks up a serial on the public registry page."""

import pytest

from tests.credits.public.test_pages import retired  # noqa: F401 (fixture)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_looks_up_a_serial_in_the_browser(live_server, page, ledger, retired):  # noqa: F811
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/registry/serials/")
    page.fill("#serial", "PCH-PE-001-VER-2012-000000012")
    page.click("button[type=submit]")
    result = page.locator("#serial-result")
    result.wait_for()
    assert "PCH-PE-001-VER-2012-000000001-000000040" in result.inner_text()
    assert result.locator(".status").inner_text() == "Retired"
    assert "Municipalidad de Ejemplo" in result.inner_text()
    page.click("text=Verify the retirement")
    # The serial page has an h1 too: wait for the verification page's own heading.
    page.wait_for_selector("h1:text-is('Retirement verification')")
