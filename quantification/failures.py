"""Why a run failed, as data: a stable code and its parameters, translated when shown.

`classify` turns the exception that ended a run into (`failure_code`, `failure_params`), stored
on the run; `describe_failure` renders them in the active language with what to do next. The
English internal text stays in `CalculationRun.error` for the technical team (logs, API), never
on the page.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from quantification.engine.notices import CarbonInputError, Notice, RowError
from quantification.figures import notice_dict, translate_warning

SHOWN = 50  # at most this many problems are stored and shown; the rest are counted

CATALOGUE = {
    "engine.input": (
        _("The field data of the run cannot be computed."),
        _(
            "Correct the data named below (strata, plots or parameters), then start a new "
            "run for the same period."
        ),
    ),
    "engine.trees": (
        _("Some tree measurements cannot be computed."),
        _(
            "Correct or delete the tree measurements named below in the parcel's monitoring "
            "plots, then start a new run for the same period."
        ),
    ),
    "run.time_limit": (
        _("The run took longer than the time limit and was stopped."),
        _("Start the run again; if it stops again, tell the technical team."),
    ),
    "run.internal": (
        _("The run stopped because of an unexpected internal error."),
        _(
            "Nothing was stored. Tell the technical team the run number (reference "
            "%(reference)s); they can see the details in the server log."
        ),
    ),
}


class TreeRowsError(Exception):
    """Row errors of the engine, located at tree measurement ids (`errors`: stored dicts)."""

    def __init__(self, errors: list[dict], english: str) -> None:
        self.errors = errors
        super().__init__(english)


def tree_errors(exc: CarbonInputError, ids) -> TreeRowsError:
    """The engine's row errors renamed to the tree measurement ids they concern."""
    errors, lines = [], []
    for error in exc.errors:
        if isinstance(error, RowError):
            reason = Notice(error.code, error.template, error.params)
            item = {"tree": int(ids[error.line]), "column": error.column, **notice_dict(reason)}
            lines.append(f"tree measurement {item['tree']}, {error.column}: {reason.message}")
        else:
            item = notice_dict(error)
            lines.append(error.message)
        errors.append(item)
    return TreeRowsError(errors, "\n".join(lines))


def classify(exc: BaseException) -> tuple[str, dict]:
    """(code, params) of the exception that ended a run."""
    from celery.exceptions import SoftTimeLimitExceeded

    if isinstance(exc, TreeRowsError):
        return "engine.trees", _bounded(exc.errors)
    if isinstance(exc, CarbonInputError):
        return "engine.input", _bounded([notice_dict(e) for e in exc.errors])
    if isinstance(exc, SoftTimeLimitExceeded):
        return "run.time_limit", {}
    return "run.internal", {"reference": type(exc).__name__}


def _bounded(errors: list[dict]) -> dict:
    return {"errors": errors[:SHOWN], "more": max(len(errors) - SHOWN, 0)}


def describe_failure(*, code: str, params: dict, run_id: int) -> dict:
    """{"title", "problems" (list of str), "more", "next_step"} in the active language."""
    title, next_step = CATALOGUE.get(code) or CATALOGUE["run.internal"]
    params = params or {}
    reference = params.get("reference") or f"#{run_id}"
    return {
        "code": code or "run.internal",
        "title": str(title),
        "problems": [_problem(item) for item in params.get("errors", [])],
        "more": params.get("more", 0),
        "next_step": str(next_step) % {"reference": f"#{run_id} · {reference}"},
    }


def _problem(item: dict) -> str:
    reason = translate_warning(item)
    if "tree" not in item:
        return reason
    return gettext("tree measurement %(tree)d, %(column)s: %(reason)s") % {
        "tree": item["tree"],
        "column": item.get("column") or "-",
        "reason": reason,
    }
