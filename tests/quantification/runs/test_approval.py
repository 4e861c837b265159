import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.http import Http404

from quantification import services
from quantification.exceptions import NotAllowed, RunStateConflict
from quantification.models import CalculationRun, RunStatus, RunVintage
from tests.quantification.runs.helpers import succeeded_run


def test_it_lets_a_verifier_approve_a_succeeded_run(personas):
    run = succeeded_run(personas.project_a)
    approved = services.approve_calculation_run(run_id=run.pk, actor=personas.verifier)
    assert approved.status == RunStatus.APPROVED
    assert approved.reviewed_by_id == personas.verifier.pk


def test_it_lets_the_projects_manager_approve(personas):
    run = succeeded_run(personas.project_a)
    assert services.approve_calculation_run(run_id=run.pk, actor=personas.manager_a).status == (
        RunStatus.APPROVED
    )


def test_it_refuses_approval_by_cooperative_staff(personas):
    run = succeeded_run(personas.project_a)
    with pytest.raises(NotAllowed):
        services.approve_calculation_run(run_id=run.pk, actor=personas.staff_a1)
    assert CalculationRun.objects.get(pk=run.pk).status == RunStatus.SUCCEEDED


def test_it_hides_the_run_from_another_projects_manager(personas):
    run = succeeded_run(personas.project_b)
    with pytest.raises(Http404):
        services.approve_calculation_run(run_id=run.pk, actor=personas.manager_a)


def test_it_approves_only_once(personas):
    run = succeeded_run(personas.project_a)
    services.approve_calculation_run(run_id=run.pk, actor=personas.verifier)
    with pytest.raises(RunStateConflict):
        services.approve_calculation_run(run_id=run.pk, actor=personas.manager_a)
    with pytest.raises(RunStateConflict):
        services.reject_calculation_run(run_id=run.pk, actor=personas.manager_a)


def test_it_refuses_a_second_approved_run_over_the_same_period(personas):
    first = succeeded_run(personas.project_a)
    second = succeeded_run(personas.project_a)
    services.approve_calculation_run(run_id=first.pk, actor=personas.verifier)
    with pytest.raises(RunStateConflict):
        services.approve_calculation_run(run_id=second.pk, actor=personas.verifier)


def test_it_keeps_an_approved_run_and_its_results_immutable_in_the_database(personas):
    run = succeeded_run(personas.project_a)
    services.approve_calculation_run(run_id=run.pk, actor=personas.verifier)
    with pytest.raises(IntegrityError), transaction.atomic():
        CalculationRun.objects.filter(pk=run.pk).update(issuable_tco2e=1000)
    with pytest.raises(IntegrityError), transaction.atomic():
        RunVintage.objects.filter(run_id=run.pk).update(issuable_tco2e=1000)
    with pytest.raises(IntegrityError), transaction.atomic():
        CalculationRun.objects.filter(pk=run.pk).delete()
    assert CalculationRun.objects.get(pk=run.pk).issuable_tco2e == 49


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_two_concurrent_approvals_win():
    from tests.base import build_personas

    personas = build_personas()
    run = succeeded_run(personas.project_a)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(actor) -> None:
        barrier.wait()
        try:
            services.approve_calculation_run(run_id=run.pk, actor=actor)
            outcomes.append("approved")
        except RunStateConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=(u,)) for u in (personas.verifier, personas.manager_a)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["approved", "conflict"]
    assert CalculationRun.objects.get(pk=run.pk).status == RunStatus.APPROVED
