"""Adapter between the database side and the pure engine `quantification.engine`.

Everything that knows the pure engine's API lives here: parameter validation and
fingerprints, the method version, and turning a run's loaded inputs into an `Outcome`.
"""

from collections.abc import Callable
from typing import Any

from quantification import ex_ante, ex_post, loaders, readiness
from quantification.engine.notices import CarbonInputError, ParameterError
from quantification.engine.parameters import METHOD_VERSION, CarbonParameters
from quantification.exceptions import InvalidParameters
from quantification.figures import decimal
from quantification.hashing import input_hash
from quantification.models import CalculationRun, RunKind
from quantification.storage import Outcome, Pending

__all__ = ["METHOD_VERSION", "compute_run", "default_parameters", "validate_parameters"]


def validate_parameters(data: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """(normalised dict, fingerprint) of a parameter dict; InvalidParameters names the field."""
    try:
        parameters = CarbonParameters.from_dict(data)
    except ParameterError as exc:
        raise InvalidParameters(exc.field, exc.reason) from exc
    except TypeError as exc:
        raise InvalidParameters("parameters", str(exc)) from exc
    return parameters.to_dict(), parameters.fingerprint()


def default_parameters() -> dict[str, Any]:
    return CarbonParameters().to_dict()


def describe_error(exc: BaseException) -> str:
    """The text stored on a failed run: every row error of the engine, else the message."""
    if isinstance(exc, CarbonInputError):
        return "\n".join(error.message for error in exc.errors)
    return f"{type(exc).__name__}: {exc}"


def run_header(run: CalculationRun) -> dict[str, Any]:
    """The run settings that enter the input hash besides the rows."""
    previous = run.previous_run
    header = {
        "kind": run.kind,
        "project": run.project_id,
        "period": [run.period_start, run.period_end],
        "parameters": run.parameter_set.fingerprint,
        "method_version": run.method_version,
        "previous_run": [previous.pk, previous.input_hash] if previous else None,
    }
    # Only when non-zero: zero is the default, so runs without emissions keep the hashes they
    # had before the field existed, and the header still determines the value.
    if run.project_emissions_tco2e:
        header["project_emissions_tco2e"] = decimal(run.project_emissions_tco2e)
    return header


def compute_run(*, run: CalculationRun, progress: Callable[[int], None]) -> Pending:
    """Load the run's inputs, hash them and compute its outcome with the pure engine (ex post:
    the per-tree rows; the aggregates are left to `Pending.finish`). The details say how many
    parcels the run included and how many it left out, by status (`readiness.parcel_scope`)."""
    scope = readiness.parcel_scope(run.project_id)
    pending = _compute(run, progress)
    return Pending(trees=pending.trees, finish=lambda: _with_scope(pending.finish(), scope))


def _with_scope(outcome: Outcome, scope: dict) -> Outcome:
    outcome.summary["details"]["parcel_scope"] = scope
    return outcome


def _compute(run: CalculationRun, progress: Callable[[int], None]) -> Pending:
    parameters = CarbonParameters.from_dict(run.parameter_set.parameters)
    if run.kind == RunKind.EX_POST:
        data = loaders.load_field_data(run.project_id, run.period_start, run.period_end)
        context = loaders.load_run_context(run)
        progress(30)
        tables = {
            "parcels": data.parcels,
            "plots": data.plots,
            "species": data.species,
            "previous_plots": context.previous_plots,
            "previous_parcels": context.previous_parcels,
        }
        header = {**run_header(run), "context": context.header()}
        digest = input_hash(header=header, tables=tables, trees=data.trees)
        progress(40)
        return ex_post.compute(
            run=run, data=data, parameters=parameters, digest=digest, context=context
        )
    data = loaders.load_planting_data(run.project_id)
    progress(30)
    tables = {"parcels": data.parcels, "plantings": data.plantings, "species": data.species}
    digest = input_hash(header=run_header(run), tables=tables, trees=None)
    outcome = ex_ante.compute(run=run, data=data, parameters=parameters, digest=digest)
    return Pending(trees=None, finish=lambda: outcome)
