"""Every admin URL the project registers, against every persona: in scope, out of scope, GET
and POST (a write).

The URLs are read from `admin.site._registry` (each ModelAdmin's `get_urls()`), the admin site
and /admin/import/; each pattern must be classified in `admin_urls`, so a view added later fails
here until it is. Each URL is resolved with real objects of project A / cooperative A1 and of
project B / cooperative B1 (`admin_world`). The rules checked:
- anonymous people and buyers are sent to the admin login, for reads and writes;
- a role that may not read a section gets 403 on it;
- an object outside the person's scope is "not found" (404), on every view of it;
- a role that may not write gets 403 on a write, and nothing is written (read-only roles and
  out-of-scope writes never end in a 302 that wrote);
- lists, filters and autocomplete never show an object outside the person's scope.
"""

import pytest
from django.contrib import admin
from django.test import Client

from smallholders.choices import Role
from tests.base import PASSWORD
from tests.pichanaki import admin_urls as table
from tests.pichanaki import site_checks
from tests.pichanaki.admin_world import SIDES, World, build_world
from tests.pichanaki.matrix_checks import Checker, Persona

PERSONAS = [
    Persona("root", None, None, superuser=True),
    Persona("manager_a", Role.MANAGER, "A"),
    Persona("staff_a1", Role.STAFF, "A"),
    Persona("staff_b1", Role.STAFF, "B"),
    Persona("verifier", Role.VERIFIER, None),
    Persona("nobody", None, None),  # staff flag, no profile: no role
    Persona("buyer", Role.BUYER, None),
    Persona(None, None, None),  # anonymous
]
MODEL_LABELS = sorted({label for label, _pattern in table.model_patterns()})


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def checker(world) -> Checker:
    clients = {}
    for persona in PERSONAS:
        client = Client()
        if persona.username:
            assert client.login(username=persona.username, password=PASSWORD)
        clients[persona.username] = client
    return Checker(world=world, personas=PERSONAS, clients=clients)


def test_every_admin_url_is_classified() -> None:
    unknown = [
        (label, pattern)
        for label, pattern in table.model_patterns()
        if table.kind_of(label, pattern) is None
    ]
    unknown += [("site", p) for p in table.site_patterns() if p not in table.SITE_PATTERNS]
    unknown += [("import", p) for p in table.import_patterns() if p not in table.IMPORT_PATTERNS]
    assert not unknown, f"admin URLs nobody classified (add them to admin_urls.py): {unknown}"
    assert sorted(table.POLICY) == MODEL_LABELS, "every registered model needs a policy"


def test_the_world_has_an_object_of_every_model_on_each_side(world) -> None:
    for label in MODEL_LABELS:
        sides = world.objects.get(label, {})
        assert "*" in sides or set(SIDES) <= set(sides), (label, sides)


@pytest.mark.parametrize("label", MODEL_LABELS)
def test_every_view_of_every_model_admin_keeps_scope_and_role(checker, label) -> None:
    model_admin = next(a for m, a in admin.site._registry.items() if m._meta.label == label)
    for url in model_admin.get_urls():
        kind = table.kind_of(label, str(url.pattern))
        checker.check_model_url(label, model_admin, kind)
    assert not checker.failures, "\n".join(checker.failures)


def test_the_admin_sites_own_pages(checker) -> None:
    for kind in table.SITE_PATTERNS.values():
        site_checks.check_site_url(checker, kind)
    assert not checker.failures, "\n".join(checker.failures)


def test_the_import_pages(checker) -> None:
    for kind in table.IMPORT_PATTERNS.values():
        site_checks.check_import_url(checker, kind)
    assert not checker.failures, "\n".join(checker.failures)


FORM_PERSONAS = {"manager_a": "B", "staff_a1": "B", "staff_b1": "A"}  # -> the side outside


def test_every_admin_form_offers_only_objects_in_scope(world, checker) -> None:
    """The add form and the change form of an object in scope, inlines included, as each writer
    gets them: no relation field may offer (or accept) an object outside the person's scope.
    A form the page does not show (a read-only role, an immutable row) offers nothing."""
    for label in MODEL_LABELS:
        model_admin = next(a for m, a in admin.site._registry.items() if m._meta.label == label)
        base = f"/admin/{model_admin.opts.app_label}/{model_admin.opts.model_name}/"
        for username, outside in FORM_PERSONAS.items():
            persona = next(p for p in PERSONAS if p.username == username)
            own = world.objects.get(label, {})
            own = own.get("A" if outside == "B" else "B") or own.get("*")
            urls = [base + "add/"] + ([f"{base}{own.pk}/change/"] if own is not None else [])
            for url in urls:
                response = checker.call(persona, "GET", url)
                if response.status_code == 200 and response.context is not None:
                    checker.failures += site_checks.offered_outside(world, response, outside, url)
    assert not checker.failures, "\n".join(checker.failures)
