"""The import pages fit a 390 px phone and a 1280 px laptop without sideways scrolling."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parcels.importing.services import create_import_job
from tests.base import PASSWORD, build_personas

ERRORS = "dni;nombres;apellidos;fecha_ingreso;observaciones\n" + "".join(
    f"4123456{n};Ana María;Paz Quispe;31/02/2019;nota larga sin espacios{'x' * 60}\n"
    for n in range(5)
)


def sign_in(page, url, username):
    page.goto(f"{url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [390, 1280])
def test_the_import_pages_do_not_scroll_sideways(live_server, page, width):
    personas = build_personas()
    for number in range(3):  # a history with rows
        create_import_job(
            user=personas.staff_a1,
            kind="smallholders",
            project=personas.project_a,
            cooperative=personas.coop_a1,
            upload=SimpleUploadedFile(
                f"socios_de_la_cooperativa_{number}_corregido.csv", ERRORS.encode()
            ),
        )
    job = personas.project_a.import_jobs.first()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, personas.staff_a1.username)
    for path in ("/admin/import/", f"/admin/import/{job.pk}/"):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("html").get_attribute("lang") == "es"
        assert overflow(page) <= 0, (path, width, overflow(page), wide(page))
    assert page.locator("#import-errors").is_visible()
    assert page.locator("#import-again-form").is_visible()


def wide(page) -> list[str]:
    """The elements reaching past the right edge or overflowing their box (what to fix)."""
    return page.evaluate(
        """[...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                     || e.scrollWidth > e.clientWidth + 1)
        .slice(-8)
        .map(e => `${e.tagName}#${e.id}.${e.className} ${e.getBoundingClientRect().right}`)"""
    )
