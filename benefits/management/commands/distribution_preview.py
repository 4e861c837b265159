"""`manage.py distribution_preview --project CODE [--sales ID,ID…] [--policy VERSION] --json`:
the distribution that would be created, as JSON, writing nothing."""

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from benefits.exceptions import BenefitsError
from benefits.planning import plan_distribution
from smallholders.models import Project


def sale_ids(text: str) -> list[int]:
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise CommandError(f"--sales must be sale ids separated by commas, not {text!r}.") from None
    if not ids:
        raise CommandError("--sales names no sale.")
    return ids


class Command(BaseCommand):
    help = "Print the distribution that would be created for a project's sales (writes nothing)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--project", required=True, help="project code")
        parser.add_argument(
            "--sales", help="sale ids, comma-separated (default: all undistributed)"
        )
        parser.add_argument("--policy", type=int, help="policy version (default: the latest)")
        parser.add_argument("--json", action="store_true", required=True, help="print JSON")

    def handle(self, *args: object, **options: Any) -> None:  # argparse values
        project = Project.objects.filter(code=options["project"]).first()
        if project is None:
            raise CommandError(f"No project with code {options['project']!r}.")
        try:
            plan = plan_distribution(
                project=project,
                sale_ids=sale_ids(options["sales"]) if options["sales"] else None,
                policy_version=options["policy"],
                today=timezone.localdate(),
            )
        except BenefitsError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(plan.as_json(), indent=2, ensure_ascii=False))
