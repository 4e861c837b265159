"""Builders for calculation tests: runs in a given state, made through the models."""

import datetime as dt
from decimal import Decimal

from quantification import services
from quantification.models import CalculationRun, RunKind, RunStatus, RunVintage
from smallholders.models import Project


def succeeded_run(project: Project, *, start=dt.date(2015, 1, 1), end=dt.date(2015, 12, 31)):
    """A run as `execute_calculation_run` leaves it (the approval tests need only the row)."""
    parameter_set = services.ensure_default_parameter_set(project_id=project.pk)
    run = CalculationRun.objects.create(
        project=project,
        kind=RunKind.EX_POST,
        period_start=start,
        period_end=end,
        parameter_set=parameter_set,
        method_version="test",
        status=RunStatus.SUCCEEDED,
        progress=100,
        stock_tco2e=Decimal("100.000"),
        net_tco2e=Decimal("70.000"),
        buffer_tco2e=21,
        issuable_tco2e=49,
    )
    RunVintage.objects.create(
        run=run, year=end.year, net_tco2e=Decimal("70.000"), buffer_tco2e=21, issuable_tco2e=49
    )
    return run
