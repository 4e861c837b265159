"""Each line of the scoping rules in smallholders.selectors, one test per rule."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from smallholders.selectors import (
    access_cooperative,
    access_project,
    cooperatives_for,
    projects_for,
    scope_for,
)
from tests.base import make_cooperative


def codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


def test_superusers_and_verifiers_read_everything(personas) -> None:
    for user in (personas.superuser, personas.verifier):
        assert codes(projects_for(user=user)) == {"pa", "pb"}
        assert codes(cooperatives_for(user=user)) == {"a1", "b1"}


def test_managers_read_their_projects_and_its_cooperatives(personas) -> None:
    make_cooperative("a2", personas.project_a, seed=3)
    assert codes(projects_for(user=personas.manager_a)) == {"pa"}
    assert codes(cooperatives_for(user=personas.manager_a)) == {"a1", "a2"}


def test_staff_read_their_cooperative_and_its_projects(personas) -> None:
    assert codes(projects_for(user=personas.staff_a1)) == {"pa"}
    assert codes(cooperatives_for(user=personas.staff_a1)) == {"a1"}


def test_buyers_people_without_profile_and_anonymous_see_nothing(personas) -> None:
    for user in (personas.buyer, personas.nobody, AnonymousUser()):
        assert codes(projects_for(user=user)) == set()
        assert codes(cooperatives_for(user=user)) == set()


def test_inactive_people_see_nothing(personas) -> None:
    personas.manager_a.is_active = False
    assert codes(projects_for(user=personas.manager_a)) == set()


def test_access_outside_scope_is_not_found(personas) -> None:
    assert access_project(user=personas.staff_a1, project_id=personas.project_a.pk)
    with pytest.raises(Http404):
        access_project(user=personas.staff_a1, project_id=personas.project_b.pk)
    with pytest.raises(Http404):
        access_cooperative(user=personas.manager_a, cooperative_id=personas.coop_b1.pk)
    with pytest.raises(Http404):
        access_cooperative(user=personas.manager_a, cooperative_id="not-a-number")


@pytest.mark.django_db(transaction=True)
def test_access_can_lock_the_row(personas) -> None:
    from django.db import transaction

    with transaction.atomic():
        coop = access_cooperative(
            user=personas.manager_a, cooperative_id=personas.coop_a1.pk, for_update=True
        )
    assert coop.pk == personas.coop_a1.pk


def test_role_capabilities(personas) -> None:
    assert scope_for(personas.staff_a1).edits_field_data
    assert not scope_for(personas.verifier).edits_field_data
    assert scope_for(personas.verifier).approves
    assert not scope_for(personas.staff_a1).approves
    assert scope_for(personas.manager_a).manages
    assert not scope_for(personas.buyer).reads_everything
