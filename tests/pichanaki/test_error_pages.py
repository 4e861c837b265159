"""403, 404 and 500 answer with the site's own pages: branded, with navigation, Spanish first."""

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error

from tests.base import PASSWORD


def signed_in(username: str, language: str | None = None) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def assert_site_page(html: str) -> None:
    assert 'class="site-header"' in html and "pichanaki" in html  # branding and navigation
    assert 'href="/"' in html and 'href="/registry/' in html
    assert "css/site.css" in html


def test_a_refused_admin_page_is_the_sites_page_in_spanish(personas) -> None:
    response = signed_in("staff_a1").get("/admin/quantification/parameterset/")
    assert response.status_code == 403
    html = response.content.decode()
    assert_site_page(html)
    assert '<html lang="es">' in html
    assert "No puede abrir esta página" in html
    assert 'href="/admin/"' in html  # back to the administration
    assert "403 Forbidden" not in html


def test_the_refusal_reason_is_shown_translated(personas) -> None:
    response = signed_in("verifier").get("/admin/import/")
    assert response.status_code == 403
    assert "Su rol no puede importar datos de campo" in response.content.decode()


def test_the_same_page_in_english(personas) -> None:
    response = signed_in("staff_a1", "en").get("/admin/quantification/parameterset/")
    assert response.status_code == 403
    html = response.content.decode()
    assert_site_page(html)
    assert "You cannot open this page" in html


@pytest.mark.parametrize(
    "url", ["/no-such-page/", "/admin/smallholders/smallholder/999999/change/"]
)
def test_not_found_is_the_sites_page(personas, url: str) -> None:
    response = signed_in("staff_a1").get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert_site_page(html)
    assert "Página no encontrada" in html


def test_not_found_for_a_visitor(db) -> None:
    response = Client().get("/registry/no-such-page/")
    assert response.status_code == 404
    assert_site_page(response.content.decode())
    assert "Página no encontrada" in response.content.decode()


def test_a_server_error_is_the_sites_page(db) -> None:
    """The 500 page renders without a request context (the handler's own rule)."""
    with translation.override("es"):  # as inside the language middleware
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert_site_page(html)
    assert "Algo salió mal de nuestro lado" in html
