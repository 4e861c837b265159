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


def check_kept_head_in_browser(page, url: str, anchor: str) -> None:
    """Copy the head a registry page shows into its form, as an outsider would, and submit it;
    then a mistyped copy. In Spanish, at 390 and 1280 px: the answer shows, nothing is wider
    than the screen, nothing is asked of another host."""
    server = url.split("/")[2]
    foreign: list[str] = []
    page.on("request", lambda r: foreign.append(r.url) if r.url.split("/")[2] != server else None)
    page.context.add_cookies([{"name": "django_language", "value": "es", "url": url}])
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        page.goto(url)
        facts = page.locator(f"#{anchor} + p + dl.facts dd")
        length, digest = facts.nth(0).inner_text(), facts.nth(1).inner_text()
        form = page.locator(f"#{anchor}-check form")
        form.locator("input[name=position]").fill(length)
        form.locator("input[name=hash]").fill(digest)
        form.locator("button[type=submit]").click()
        answer = page.locator(f"#{anchor}-check .kept-head-answer")
        answer.wait_for()
        assert answer.inner_text().startswith(f"Sí: el movimiento {length} de la cadena")
        assert page.url.endswith(f"#{anchor}-check") and f"position={length}" in page.url
        mistyped = ("1" if digest[0] != "1" else "2") + digest[1:]
        page.locator(f"#{anchor}-check input[name=hash]").fill(mistyped)
        page.locator(f"#{anchor}-check button[type=submit]").click()
        page.wait_for_url(f"**hash={mistyped}**")
        text = page.locator(f"#{anchor}-check .kept-head-answer").inner_text()
        assert text.startswith(f"No: el movimiento {length} de la cadena ahora tiene otro hash")
        assert digest in text
        assert answer.is_visible()
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (width, overflow)
    assert not foreign, foreign


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_outsider_checks_a_kept_ledger_head(live_server, page, ledger, retired):  # noqa: F811
    url = f"{live_server.url}/registry/projects/{ledger.personas.project_a.code}/"
    check_kept_head_in_browser(page, url, "ledger-head")
