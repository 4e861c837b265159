"""What a restore must bring back, summarised the same way in the original database and in the
restored one (run there in a subprocess: `manage.py shell -c "…probe…"`).

- the ledger's conservation laws (`tests.credits.invariants`) and each project's hash chains
  (credit ledger and payment ledger);
- the payment side: every distribution line (status, amounts) and what is left to pay on it;
- for every approved calculation run: its stored input hash, the input hash recomputed now from
  the field data the database holds, and a digest of every result row the run stored;
- every file a row points to (statement PDFs, agreements, imported files): its SHA-256 in
  MEDIA_ROOT, or "missing".
"""

import hashlib
import json

from django.apps import apps
from django.core.files.storage import default_storage
from django.db.models import FileField

from benefits.chain import payment_chain_projects, payment_head, verify_payment_chain
from benefits.models import DistributionLine
from benefits.payments import payable_by_line
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
    summary = {
        "invariants": invariants,
        "chains": chains,
        "payment_chains": payment_chains,
        "payment_lines": _payment_lines(),
        "media": _media_files(),
    }
    if runs:
        summary["runs"] = {str(run.pk): _run_summary(run) for run in _approved_runs()}
    return summary


def _payment_lines() -> dict:
    lines = DistributionLine.objects.order_by("pk")
    payable = payable_by_line(lines.values("pk"))
    rows = lines.values_list("pk", "distribution_id", "smallholder_id", "status", "share", "amount")
    return {
        "lines": hashlib.sha256(repr(list(rows)).encode()).hexdigest(),
        "payable": {str(line): str(left) for line, left in sorted(payable.items())},
    }


def _media_files() -> dict[str, str]:
    """Every file a row points to, by model, field and name: its SHA-256, or "missing"."""
    found = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not isinstance(field, FileField):
                continue
            names = model._default_manager.exclude(**{field.name: ""}).values_list(
                field.name, flat=True
            )
            for name in names:
                key = f"{model._meta.label}.{field.name}:{name}"
                found[key] = _file_hash(name) if default_storage.exists(name) else "missing"
    return dict(sorted(found.items()))


def _file_hash(name: str) -> str:
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _approved_runs() -> list[CalculationRun]:
    return list(CalculationRun.objects.filter(status=RunStatus.APPROVED).order_by("pk"))


def _run_summary(run: CalculationRun) -> dict:
    recomputed = compute_run(run=run, progress=lambda _percent: None).finish().input_hash
    return {"input_hash": run.input_hash, "recomputed": recomputed, "results": _results_digest(run)}


def main(*, runs: bool = True) -> None:
    print(json.dumps(probe(runs=runs), sort_keys=True))
