"""The panel in a real Chromium, as a manager and as a technician, on a desktop and a phone:
pages load with their figures, charts and map, ask no other host, never scroll sideways, and
speak Spanish. A screenshot of each page is kept in var/screenshots/ for people to look at."""

import io
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.management import call_command

WIDTHS = (1280, 390)
ENGLISH = (
    "Dashboard",
    "The project at a glance",
    "What needs doing",
    "Colour by",
    "Table",
    "Families",
    "verified from their parcels",
)
SHOTS = Path(settings.VAR_DIR) / "screenshots"
MAP_SOURCE = ".pbf" if settings.POSTGRES else "parcels.geojson"  # vector tiles on PostGIS


@pytest.fixture
def demo_server(live_server):
    call_command("seed_demo", "--scale", "0.1", stdout=io.StringIO())
    call_command("ensure_demo_users", stdout=io.StringIO())
    return live_server


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/login/?next=/panel/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pichanaki-demo")
    page.click("input[type=submit]")
    page.wait_for_url("**/panel/pch/")


def watch_hosts(page, base: str) -> list[str]:
    own = urlparse(base).netloc
    foreign: list[str] = []
    page.on(
        "request",
        lambda request: (
            urlparse(request.url).netloc not in ("", own)
            and not request.url.startswith("data:")
            and foreign.append(request.url)
        ),
    )
    return foreign


def assert_fits_and_speaks_spanish(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll} px wide at {width} px"
    text = page.inner_text("main")
    assert not [word for word in ENGLISH if word in text], page.url


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("username", ["gestor", "tecnico-cac-ubiriki"])
def test_the_panel_at_desktop_and_phone_widths(demo_server, browser, username, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="es-PE")
        page = context.new_page()
        foreign = watch_hosts(page, demo_server.url)
        sign_in(page, demo_server.url, username)
        assert page.locator(".card .figure").count() >= 8
        assert page.locator("figure.chart canvas").count() >= 3
        page.wait_for_function(
            "[...document.querySelectorAll('figure.chart canvas')].every(c => c.width > 0)"
        )
        assert_fits_and_speaks_spanish(page, width)
        page.screenshot(path=str(SHOTS / f"panel-dashboard-{username}-{width}.png"), full_page=True)

        # PostGIS: vector tiles (some over the parcels); SpatiaLite: GeoJSON by box.
        tiles = []
        page.on("response", lambda r, tiles=tiles: ".pbf" in r.url and tiles.append(r))
        with page.expect_response(lambda r: MAP_SOURCE in r.url) as answer:
            page.click("header nav >> text=Mapa")
        assert answer.value.ok
        page.wait_for_load_state("networkidle")
        if settings.POSTGRES:
            assert any(r.ok and r.body() for r in tiles)
        else:
            assert answer.value.json()["features"]
        page.wait_for_selector("#map-legend li")
        page.select_option("#measure", "survival")
        page.wait_for_timeout(300)
        assert_fits_and_speaks_spanish(page, width)
        page.screenshot(path=str(SHOTS / f"panel-map-{username}-{width}.png"))

        page.click("header nav >> text=Familias")
        page.click("ul.families a >> nth=0")
        page.wait_for_selector("#family-map canvas")
        assert_fits_and_speaks_spanish(page, width)
        page.screenshot(path=str(SHOTS / f"panel-family-{username}-{width}.png"), full_page=True)
        assert foreign == []
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_technician_registers_a_family_and_a_count_on_a_phone(demo_server, browser, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-PE")
    page = context.new_page()
    foreign = watch_hosts(page, demo_server.url)
    sign_in(page, demo_server.url, "tecnico-cac-ubiriki")
    page.click("header nav >> text=Familias")
    page.click("text=Registrar una familia")
    page.fill("#id_dni", "47110815")
    page.fill("#id_first_name", "Rosa")
    page.fill("#id_last_name", "Quispe Huamán")
    page.click("button[type=submit]")
    page.wait_for_selector("text=La familia fue registrada.")
    assert_fits_and_speaks_spanish(page, 390)
    page.screenshot(path=str(SHOTS / "panel-technician-registered-390.png"), full_page=True)
    page.click("header nav >> text=Familias")
    page.click("ul.families a >> nth=1")
    page.click("text=Registrar un conteo de supervivencia")
    page.select_option("#id_planting", index=1)
    page.fill("#id_counted_on", "2025-03-01")
    page.fill("#id_trees_alive", "999999")
    page.click("button[type=submit]")
    # The refusal comes back as a new page: wait for it rather than count on the old one.
    page.wait_for_selector('[role="alert"]')  # the service refused: more than planted
    assert_fits_and_speaks_spanish(page, 390)
    page.fill("#id_trees_alive", "1")
    page.click("button[type=submit]")
    page.wait_for_selector("text=El conteo de supervivencia fue registrado.")
    assert foreign == []
    context.close()
