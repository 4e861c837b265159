import pytest
from django.test import Client

from tests.base import PASSWORD


@pytest.mark.django_db
def test_spanish_is_the_default_even_for_english_browsers(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "es"
    assert "Carbono enraizado en la solidaridad" in response.text


@pytest.mark.django_db
def test_the_switcher_changes_the_language_and_remembers_it(client: Client, personas) -> None:
    client.login(username="staff_a1", password=PASSWORD)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    response = client.get("/")
    assert response.headers["Content-Language"] == "en"
    assert "Carbon rooted in solidarity" in response.text
    personas.staff_a1.profile.refresh_from_db()
    assert personas.staff_a1.profile.language == "en"


@pytest.mark.django_db
def test_the_profile_language_applies_without_a_cookie(client: Client, personas) -> None:
    personas.manager_a.profile.language = "en"
    personas.manager_a.profile.save()
    client.login(username="manager_a", password=PASSWORD)
    assert client.get("/admin/").headers["Content-Language"] == "en"


@pytest.mark.django_db
def test_api_clients_may_ask_for_english(client: Client) -> None:
    response = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.headers["Content-Language"] == "en"


@pytest.mark.django_db
def test_the_admin_login_is_branded_and_in_spanish(client: Client) -> None:
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert "pichanaki" in response.text
    assert "Carbono enraizado en la solidaridad" in response.text
    assert "Contraseña" in response.text
