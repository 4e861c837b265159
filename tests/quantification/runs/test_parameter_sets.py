import pytest
from django.db import IntegrityError, transaction
from django.http import Http404

from quantification import services
from quantification.engine.parameters import CarbonParameters
from quantification.exceptions import InvalidParameters, NotAllowed


def test_it_creates_version_one_with_the_spec_defaults(personas):
    first = services.ensure_default_parameter_set(project_id=personas.project_a.pk)
    again = services.ensure_default_parameter_set(project_id=personas.project_a.pk)
    assert first.pk == again.pk and first.version == 1
    assert first.parameters == CarbonParameters().to_dict()
    assert first.fingerprint == CarbonParameters().fingerprint()


def test_it_creates_the_next_version_on_change(personas):
    services.ensure_default_parameter_set(project_id=personas.project_a.pk)
    second = services.create_parameter_set_version(
        project_id=personas.project_a.pk,
        parameters={"root_shoot_ratio": 0.37},
        note="Lowland",
        actor=personas.manager_a,
    )
    assert second.version == 2
    assert second.parameters["root_shoot_ratio"] == 0.37
    assert second.fingerprint != CarbonParameters().fingerprint()


def test_it_refuses_a_bad_parameter_naming_it(personas):
    with pytest.raises(InvalidParameters) as caught:
        services.create_parameter_set_version(
            project_id=personas.project_a.pk,
            parameters={"carbon_fraction": 3},
            actor=personas.manager_a,
        )
    assert caught.value.field == "carbon_fraction"


def test_it_lets_only_the_projects_managers_create_versions(personas):
    with pytest.raises(NotAllowed):
        services.create_parameter_set_version(
            project_id=personas.project_a.pk, parameters={}, actor=personas.staff_a1
        )
    with pytest.raises(Http404):
        services.create_parameter_set_version(
            project_id=personas.project_b.pk, parameters={}, actor=personas.manager_a
        )


def test_it_refuses_any_update_of_a_parameter_set_in_the_database(personas):
    created = services.ensure_default_parameter_set(project_id=personas.project_a.pk)
    created.note = "edited"
    with pytest.raises(IntegrityError), transaction.atomic():
        created.save()
