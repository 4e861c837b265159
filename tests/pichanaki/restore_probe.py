"""What a restore must bring back, summarised the same way in the original database and in the
restored one (run there in a subprocess: `manage.py shell -c "…probe…"`).

- the ledger's conservation laws (`tests.credits.invariants`) and each project's hash chains
  (credit ledger and payment ledger);
- for every approved calculation run: its stored input hash, the input hash recomputed now from
  the field data the database holds, and a digest of every result row the run stored.
"""

import hashlib
import json

from benefits.chain import payment_chain_projects, payment_head, verify_payment_chain
from credits.chain import verify_chain
from credits.models import LedgerChainHead
from quantification.adapter import compute_run
from quantification.models import (
    CalculationRun,
    ParcelResult,
    ParcelVintage,
    PlotResult,
    RunStatus,
    RunVintage,
    StratumResult,
    TreeResult,
)
from tests.credits.invariants import assert_ledger_invariants

RESULT_MODELS = (RunVintage, StratumResult, ParcelResult, ParcelVintage, PlotResult, TreeResult)


def _results_digest(run: CalculationRun) -> str:
    digest = hashlib.sha256()
    summary = CalculationRun.objects.filter(pk=run.pk).values(
        "stock_tco2e", "net_tco2e", "buffer_tco2e", "issuable_tco2e", "details"
    )
    digest.update(repr(list(summary)).encode())
    for model in RESULT_MODELS:
        rows = model.objects.filter(run=run).order_by("pk").values_list()
        digest.update(f"{model.__name__}:{list(rows)!r}".encode())
    return digest.hexdigest()


def probe(*, runs: bool = True) -> dict:
    try:
        assert_ledger_invariants()
        invariants = "ok"
    except AssertionError as exc:
        invariants = f"broken: {exc}"
    heads = LedgerChainHead.objects.order_by("project_id")
    chains = {
        str(head.project_id): {
            "length": head.length,
            "head": head.head_hash,
            "break": repr(verify_chain(head.project_id)),
        }
        for head in heads
    }
    payment_chains = {}
    for project_id in payment_chain_projects():
        length, head = payment_head(project_id)
        found = verify_payment_chain(project_id)
        payment_chains[str(project_id)] = {"length": length, "head": head, "break": repr(found)}
    summary = {"invariants": invariants, "chains": chains, "payment_chains": payment_chains}
    if runs:
        summary["runs"] = {str(run.pk): _run_summary(run) for run in _approved_runs()}
    return summary


def _approved_runs() -> list[CalculationRun]:
    return list(CalculationRun.objects.filter(status=RunStatus.APPROVED).order_by("pk"))


def _run_summary(run: CalculationRun) -> dict:
    recomputed = compute_run(run=run, progress=lambda _percent: None).finish().input_hash
    return {"input_hash": run.input_hash, "recomputed": recomputed, "results": _results_digest(run)}


def main(*, runs: bool = True) -> None:
    print(json.dumps(probe(runs=runs), sort_keys=True))
