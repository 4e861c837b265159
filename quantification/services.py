"""Writes of the carbon engine's database side: parameter versions, runs, approval.

A run goes queued → running → succeeded | failed, then succeeded → approved | rejected. Every
transition is a compare-and-set (`filter(status=old).update(status=new)`), so two workers or
two reviewers can never both act on one run. Results are written only inside the final
transaction of `execute_calculation_run`: a failed or killed run leaves none.
"""

import logging
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from pichanaki import dispatch
from pichanaki.locking import PARAMETER_SET_NUMBERING, RUN_APPROVAL, create_numbered, take_lock
from quantification import adapter, failures, readiness, selectors, storage
from quantification.exceptions import (
    InvalidParameters,
    NoParameterSet,
    NotAllowed,
    RunNotReady,
    RunStateConflict,
)
from quantification.figures import decimal
from quantification.models import CalculationRun, ParameterSet, RunKind, RunStatus
from quantification.outboxes import CALCULATION_RUNS
from quantification.signals import announce_run_approved
from smallholders.selectors import access_project

logger = logging.getLogger(__name__)


def create_parameter_set_version(
    *,
    project_id: int,
    parameters: dict[str, Any],
    note: str = "",
    actor: User | None,
) -> ParameterSet:
    """Validate `parameters` with the pure engine and store them as the next version.

    No lock: concurrent versions get distinct numbers from the unique (project, version)
    constraint and a retry (PARAMETER_SET_NUMBERING). `actor=None` is the system (data steps);
    otherwise the actor must manage the project (Http404 / NotAllowed). Raises
    InvalidParameters naming the bad parameter, LockTimeout if no number could be had.
    """
    if actor is not None:
        _check_manages(actor=actor, project_id=project_id)
    normalised, fingerprint = adapter.validate_parameters(parameters)
    with transaction.atomic():
        return create_numbered(
            ParameterSet.objects.filter(project_id=project_id),
            field="version",
            purpose=PARAMETER_SET_NUMBERING,
            build=lambda version: ParameterSet(
                project_id=project_id,
                version=version,
                parameters=normalised,
                fingerprint=fingerprint,
                note=note,
                created_by=actor,
            ),
        )


def ensure_default_parameter_set(*, project_id: int) -> ParameterSet:
    """Version 1 with the methods spec's defaults, unless the project has a parameter set."""
    existing = selectors.latest_parameter_set(project_id=project_id)
    if existing is not None:
        return existing
    return create_parameter_set_version(
        project_id=project_id,
        parameters=adapter.default_parameters(),
        note=gettext_noop("Defaults of the carbon methods specification."),  # shown translated
        actor=None,
    )


def _check_manages(*, actor: User, project_id: int) -> None:
    access_project(user=actor, project_id=project_id)  # Http404 outside the scope
    if not selectors.can_start_runs(user=actor, project_id=project_id):
        raise NotAllowed


def start_calculation_run(
    *,
    project_id: int,
    kind: str,
    period_start: date,
    period_end: date,
    parameter_set_id: int | None = None,
    project_emissions_tco2e: Decimal = Decimal(0),
    actor: User,
) -> CalculationRun:
    """Create a queued run and send its Celery task once the row is committed.

    Preconditions: the actor manages the project; the parameter set (default: the latest
    version) belongs to it; the project is ready (`check_run_readiness`, RunNotReady).
    Ex-post runs take C(t1) from the last approved ex-post run and deduct
    `project_emissions_tco2e` (GHG_E, monitored for the period, ≥ 0; ex-ante runs take none).
    Raises InvalidParameters for negative or ex-ante emissions, and JobsPaused (after saving
    the queued run) when the broker does not answer.
    """
    _check_manages(actor=actor, project_id=project_id)
    emissions = _project_emissions(kind=kind, value=project_emissions_tco2e)
    parameter_set = _parameter_set(project_id=project_id, parameter_set_id=parameter_set_id)
    check_run_readiness(
        project_id=project_id, kind=kind, period_start=period_start, period_end=period_end
    )
    previous = None
    if kind == RunKind.EX_POST:
        previous = selectors.previous_verified_run(project_id=project_id, before=period_start)
    # The worker must find the row: its task is sent only after this transaction commits. The
    # queued row is the message: if the broker does not answer it waits, unsent, for the
    # outbox sweep (pichanaki/dispatch.py), and the caller hears JobsPaused.
    with transaction.atomic():
        run = CalculationRun.objects.create(
            project_id=project_id,
            kind=RunKind(kind),
            period_start=period_start,
            period_end=period_end,
            parameter_set=parameter_set,
            previous_run=previous,
            project_emissions_tco2e=emissions,
            method_version=adapter.METHOD_VERSION,
            started_by=actor,
        )
        sending = dispatch.send_after_commit(CALCULATION_RUNS, run.pk)
    sending.raise_if_paused()
    return run


def check_run_readiness(
    *, project_id: int, kind: str, period_start: date, period_end: date
) -> None:
    """Raise RunNotReady listing every readiness problem (`readiness.readiness_problems`).

    The one check behind both doors (admin form and API), called again by
    `start_calculation_run`, so nothing that would fail or conflict is ever queued.
    """
    problems = readiness.readiness_problems(
        project_id=project_id, kind=kind, period_start=period_start, period_end=period_end
    )
    if problems:
        raise RunNotReady(problems)


def _project_emissions(*, kind: str, value: Decimal | int | str) -> Decimal:
    emissions = Decimal(value)
    if not emissions.is_finite() or emissions < 0:
        raise InvalidParameters("project_emissions_tco2e", _("must be zero or more tonnes"))
    if emissions and kind != RunKind.EX_POST:
        raise InvalidParameters(
            "project_emissions_tco2e", _("project emissions are monitored: ex-post runs only")
        )
    return decimal(emissions)


def _parameter_set(*, project_id: int, parameter_set_id: int | None) -> ParameterSet:
    if parameter_set_id is None:
        found = selectors.latest_parameter_set(project_id=project_id)
    else:
        found = ParameterSet.objects.filter(pk=parameter_set_id, project_id=project_id).first()
    if found is None:
        raise NoParameterSet
    return found


def execute_calculation_run(*, run_id: int) -> CalculationRun:
    """The task body: claim the run, compute it, store every result in one transaction.

    Idempotent: only a queued run (or a running one whose worker died, older than the hard
    time limit) is claimed, by compare-and-set; any other state returns unchanged. Any error
    marks the run failed with its message; no result row survives a failure.
    """
    if not _claim(run_id):
        return CalculationRun.objects.get(pk=run_id)
    run = CalculationRun.objects.select_related("parameter_set", "previous_run").get(pk=run_id)
    try:
        pending = adapter.compute_run(run=run, progress=lambda p: _progress(run_id, p))
        storage.store_results(run=run, pending=pending)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the run
        logger.exception("calculation run %s failed", run_id)
        _fail(run_id, exc)
    return CalculationRun.objects.get(pk=run_id)


def _claim(run_id: int) -> bool:
    now = timezone.now()
    stale = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    claimable = Q(status=RunStatus.QUEUED) | Q(status=RunStatus.RUNNING, started_at__lt=stale)
    updated = CalculationRun.objects.filter(claimable, pk=run_id).update(
        status=RunStatus.RUNNING,
        started_at=now,
        progress=1,
        error="",
        failure_code="",
        failure_params={},
    )
    return updated == 1


def _progress(run_id: int, percent: int) -> None:
    CalculationRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        progress=max(1, min(99, int(percent)))
    )


def _fail(run_id: int, exc: BaseException) -> None:
    """Failed, with a code and parameters (shown translated) and the internal English text."""
    code, params = failures.classify(exc)
    CalculationRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        status=RunStatus.FAILED,
        error=adapter.describe_error(exc),
        failure_code=code,
        failure_params=params,
        finished_at=timezone.now(),
    )


def approve_calculation_run(*, run_id: int, actor: User, note: str = "") -> CalculationRun:
    """succeeded → approved, by a verifier or a manager of the run's project.

    Locks: the project's RUN_APPROVAL lock (not the project row: imports and parcel saves go
    on), so two approvals of runs with overlapping periods serialise and the second sees the
    first. Raises Http404 (outside the scope), NotAllowed, RunStateConflict (not succeeded any
    more, or overlapping an approved run), or LockTimeout (another approval is under way).
    """
    run = selectors.access_run(user=actor, run_id=run_id)
    if not selectors.can_review_runs(user=actor, project_id=run.project_id):
        raise NotAllowed
    # Approval makes the run issuable: one approved run per kind and period, checked and
    # written under the lock, which the commit releases.
    with transaction.atomic():
        take_lock(RUN_APPROVAL, run.project_id)
        if _overlaps_approved(run):
            raise RunStateConflict(_("An approved run already covers part of this period."))
        _review(run_id=run_id, status=RunStatus.APPROVED, actor=actor, note=note)
        # After the commit: the back-office's carbon figures per cooperative read this run.
        announce_run_approved(project_id=run.project_id)
    return CalculationRun.objects.get(pk=run_id)


def reject_calculation_run(*, run_id: int, actor: User, note: str = "") -> CalculationRun:
    """succeeded → rejected, by a verifier or a manager of the run's project (with a note)."""
    run = selectors.access_run(user=actor, run_id=run_id)
    if not selectors.can_review_runs(user=actor, project_id=run.project_id):
        raise NotAllowed
    _review(run_id=run_id, status=RunStatus.REJECTED, actor=actor, note=note)
    return CalculationRun.objects.get(pk=run_id)


def _overlaps_approved(run: CalculationRun) -> bool:
    return CalculationRun.objects.filter(
        project_id=run.project_id,
        kind=run.kind,
        status=RunStatus.APPROVED,
        period_start__lte=run.period_end,
        period_end__gte=run.period_start,
    ).exists()


def _review(*, run_id: int, status: str, actor: User, note: str) -> None:
    updated = CalculationRun.objects.filter(pk=run_id, status=RunStatus.SUCCEEDED).update(
        status=status, reviewed_by=actor, reviewed_at=timezone.now(), review_note=note
    )
    if updated != 1:
        raise RunStateConflict
