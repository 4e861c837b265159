"""The demo logins of `ensure_demo_users`: one per role, never in production unless forced."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from demo import catalogue
from demo.services import DEFAULT_PASSWORD
from smallholders.choices import Role
from smallholders.models import Profile
from tests.demo.helpers import (
    demo_project,
    seed,
)


@pytest.mark.django_db
def test_it_lets_the_demo_manager_log_into_the_admin(client, monkeypatch) -> None:
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    seed()
    out = io.StringIO()
    call_command("ensure_demo_users", stdout=out)

    login = client.post(
        reverse("admin:login"),
        {"username": "gestor", "password": DEFAULT_PASSWORD, "next": reverse("admin:index")},
    )
    assert login.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    profile = Profile.objects.get(user__username="gestor")
    assert profile.role == Role.MANAGER
    assert list(profile.projects.all()) == [demo_project()]
    assert "http://127.0.0.1:8000/admin/login/" in out.getvalue()
    assert "gestor" in out.getvalue() and DEFAULT_PASSWORD in out.getvalue()


@pytest.mark.django_db
def test_it_creates_one_login_per_role_once_with_the_password_from_the_environment(
    client, monkeypatch
) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", "otra-clave-de-demo-2024")
    seed()
    first = io.StringIO()
    call_command("ensure_demo_users", stdout=first)
    history = Profile.history.count()
    second = io.StringIO()
    call_command("ensure_demo_users", stdout=second)

    profiles = Profile.objects.filter(user__username__in=["verificador", "gestor"])
    staff = Profile.objects.filter(role=Role.STAFF)
    assert profiles.count() == 2 and staff.count() == 3
    assert set(staff.values_list("cooperative__code", flat=True)) == {
        spec.code for spec in catalogue.COOPERATIVES
    }
    assert Profile.history.count() == history
    assert client.login(username="tecnico-cac-ubiriki", password="otra-clave-de-demo-2024")
    assert "Demo logins" in first.getvalue() and "Accesos de demostración" in first.getvalue()
    assert "otra-clave-de-demo-2024" not in second.getvalue()


@pytest.mark.django_db
def test_it_refuses_demo_logins_in_production_unless_forced(settings) -> None:
    seed()
    settings.PRODUCTION = True

    with pytest.raises(CommandError):
        call_command("ensure_demo_users", stdout=io.StringIO())
    with pytest.raises(CommandError):
        seed()
    call_command("ensure_demo_users", "--force", stdout=io.StringIO())
    assert Profile.objects.filter(user__username="gestor").exists()


@pytest.mark.django_db
def test_it_creates_no_login_and_says_why_when_the_demo_is_not_loaded(personas) -> None:
    err = io.StringIO()
    call_command("ensure_demo_users", stdout=io.StringIO(), stderr=err)

    assert "seed_demo" in err.getvalue()
    assert not Profile.objects.filter(user__username="gestor").exists()
