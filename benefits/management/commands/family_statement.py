"""`manage.py family_statement --dni DNI --project CODE [--period YYYY] --format pdf|json -o FILE`:
a family's statement (recorded, with its verification code) as PDF or JSON."""

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from benefits.statements import issue_statement, render_pdf, statement_html, verification_url
from smallholders.models import Project, Smallholder


class Command(BaseCommand):
    help = "Write a family's statement (Spanish, then English) as PDF or JSON."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dni", required=True)
        parser.add_argument("--project", required=True, help="project code")
        parser.add_argument("--period", type=int, help="year (default: every year)")
        parser.add_argument("--format", choices=["pdf", "json"], required=True)
        parser.add_argument("-o", "--output", required=True, help="file to write")

    def handle(self, *args: object, **options: Any) -> None:  # argparse values
        project = Project.objects.filter(code=options["project"]).first()
        if project is None:
            raise CommandError(f"No project with code {options['project']!r}.")
        holder = Smallholder.objects.filter(project=project, dni=options["dni"]).first()
        if holder is None:
            raise CommandError(f"No family with DNI {options['dni']!r} in project {project.code}.")
        period = options["period"]
        if period is not None and not 2000 <= period <= 2100:
            raise CommandError(f"--period must be a year like 2026, not {period}.")
        statement, facts = issue_statement(smallholder=holder, project=project, period=period)
        if options["format"] == "pdf":
            data = render_pdf(statement_html(statement, facts))
        else:
            data = json.dumps(_as_json(statement, facts), indent=2, ensure_ascii=False).encode()
        Path(options["output"]).write_bytes(data)
        self.stdout.write(
            f"{options['output']}: {statement.short_code} {verification_url(statement)}"
        )


def _as_json(statement, facts: dict) -> dict:
    return {
        "dni": facts["smallholder"].dni,
        "project": facts["project"].code,
        "period": facts["period"],
        "verification_code": statement.short_code,
        "verification_url": verification_url(statement),
        "tonnes_contributed": facts["tonnes"],
        "parcels": [
            {
                "code": p.code,
                "area_ha": str(p.area_ha),
                "trees_planted": p.trees_planted,
                "trees_alive": p.trees_alive,
            }
            for p in facts["parcels"]
        ],  # fmt: skip
        "lines": [
            {
                "distribution": x.distribution_id,
                "units": x.units,
                "share": str(x.share),
                "held_in_trust": str(x.held_in_trust),
                "advance_recovered": str(x.advance_recovered),
                "clawed_back": str(x.clawed_back),
                "amount": str(x.amount),
                "status": x.status,
                "provenance": x.provenance,
                "blocks": x.sold_blocks,
                "block_provenance": [
                    {
                        "serial": b.serial,
                        "sale": b.sale_id,
                        "units": b.quantity,
                        "from_your_parcels": {code: str(t) for code, t in b.parcels.items()},
                    }
                    for b in x.block_parts
                ],
                "reversals": [
                    {
                        "reversal": r.reversal.reversal_id,
                        "recorded_on": r.reversal.created_at.date().isoformat(),
                        "parcels": r.parcels,
                        "units_sold": r.units_sold,
                        "clawback": r.clawback,
                        "owed": str(r.owed),
                        "taken_back": str(r.taken_back),
                    }
                    for r in x.reversals
                ],
                "deductions": [
                    {
                        "reversal": d.reversal_id,
                        "recorded_on": d.reversal.created_at.date().isoformat(),
                        "paid_in_distribution": d.source_line.distribution_id,
                        "amount": str(d.amount),
                    }
                    for d in x.deductions
                ],
            }
            for x in facts["lines"]
        ],  # fmt: skip
        "payments": [
            {
                "amount": str(e.amount),
                "method": e.method,
                "reference": e.reference,
                "paid_on": e.paid_on.isoformat(),
            }
            for e in facts["payments"]
        ],  # fmt: skip
        "held_in_trust": [
            {
                "parcel": h.parcel.code,
                "amount": str(h.amount),
                "reason": h.reason,
                "status": h.status,
            }
            for h in facts["holds"]
        ],  # fmt: skip
        "grievances": [
            {"description": g.description, "status": g.status, "resolution": g.resolution}
            for g in facts["grievances"]
        ],  # fmt: skip
        "totals": {k: str(v) for k, v in facts["totals"].items()},
        "sms_text": statement.sms_text,
    }
