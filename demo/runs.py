"""Demo steps 9–11: the default parameter set and the approved calculation runs.

Each step looks at what the database already holds and only adds what is missing, so that a
demo loaded before these steps existed is completed by the next `seed_demo`; each returns
whether it wrote anything. The runs go through the carbon engine's own services: the demo
manager starts them, they are executed here (in-process, so `seed_demo` returns with results),
and the demo verifier approves them. The ex-ante run is approved first so that it caps the
ex-post runs; each ex-post run is approved before the next starts, whose C(t1) it gives.
"""

import datetime as dt
import time
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings
from django.contrib.auth.models import User

from demo import catalogue, growth, logins, story
from demo.clock import story_clock
from demo.exceptions import DemoRunFailed
from quantification import adapter, selectors, services
from quantification.models import CalculationRun, RunKind, RunStatus
from smallholders.choices import Role
from smallholders.models import Project

POLL_SECONDS = 0.5
UNFINISHED = (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.SUCCEEDED)

if TYPE_CHECKING:
    from demo.steps import DemoContext


def step_parameters(ctx: "DemoContext", rng: np.random.Generator) -> bool:
    """The demo's parameter set: the specification's defaults with the growth curves, survival
    and mortality calibrated for the Selva Central (`growth.demo_parameters`)."""
    if selectors.latest_parameter_set(project_id=ctx.project.pk) is not None:
        return False
    with story_clock(story.PARAMETERS_ON):
        services.create_parameter_set_version(
            project_id=ctx.project.pk,
            parameters=growth.demo_parameters(adapter.default_parameters()),
            note=catalogue.PARAMETERS_NOTE,
            actor=None,
        )
    return True


def step_ex_ante_run(ctx: "DemoContext", rng: np.random.Generator) -> bool:
    """The ex-ante projection from the plantings over the whole crediting period, approved."""
    project = ctx.project
    return ensure_approved_run(
        project,
        RunKind.EX_ANTE,
        project.crediting_start,
        project.crediting_end,
        calendar=story.EX_ANTE_CALENDAR,
    )


def step_ex_post_runs(ctx: "DemoContext", rng: np.random.Generator) -> bool:
    """One approved ex-post run per monitoring period (2010–2015, 2016–2018, 2019–2022)."""
    wrote = [
        ensure_approved_run(
            ctx.project, RunKind.EX_POST, start, end, calendar=story.EX_POST_CALENDAR[end]
        )
        for start, end in catalogue.EX_POST_PERIODS
    ]
    return any(wrote)


def approved_run(project: Project, kind: str, start: dt.date, end: dt.date) -> CalculationRun:
    """The demo's approved run of `kind` for exactly this period (DoesNotExist if missing)."""
    return CalculationRun.objects.get(
        project=project, kind=kind, period_start=start, period_end=end, status=RunStatus.APPROVED
    )


def ensure_approved_run(
    project: Project,
    kind: str,
    start: dt.date,
    end: dt.date,
    *,
    calendar: story.RunCalendar,
) -> bool:
    """Start (or resume an interrupted), execute and approve the run on the story's dates
    (`calendar`); False if it was done."""
    runs = CalculationRun.objects.filter(
        project=project, kind=kind, period_start=start, period_end=end
    )
    if runs.filter(status=RunStatus.APPROVED).exists():
        return False
    run = runs.filter(status__in=UNFINISHED).order_by("pk").first()
    with story_clock(calendar.queued):
        if run is None:
            run = services.start_calculation_run(
                project_id=project.pk,
                kind=kind,
                period_start=start,
                period_end=end,
                actor=_actor(logins.MANAGER, Role.MANAGER, project),
            )
        run = _finished(run.pk)
    if run.status != RunStatus.SUCCEEDED:
        raise DemoRunFailed(run.pk, run.error)
    with story_clock(calendar.approved):
        services.approve_calculation_run(
            run_id=run.pk,
            actor=_actor(logins.VERIFIER, Role.VERIFIER, project),
            note=catalogue.REVIEW_NOTE,
        )
    return True


def _finished(run_id: int) -> CalculationRun:
    """Execute the run here; if a Celery worker claimed it first, wait for that worker."""
    run = services.execute_calculation_run(run_id=run_id)
    deadline = time.monotonic() + settings.CELERY_TASK_TIME_LIMIT
    while run.status in (RunStatus.QUEUED, RunStatus.RUNNING) and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        run.refresh_from_db()
    return run


def _actor(username: str, role: str, project: Project) -> User:
    user, _login = logins.ensure_login(username=username, role=role, password=None, project=project)
    return user
