"""`manage.py seed_demo`: load the demo project (used by `make run`)."""

import argparse
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from demo import selectors, services
from demo.exceptions import DemoError
from pichanaki.commands import TranslatedHelpCommand
from smallholders.models import Project


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(_("must be a number above 0, not “%s”") % text)
    return value


class Command(TranslatedHelpCommand):
    help = gettext_lazy(  # type: ignore[assignment]  # lazy: translated when printed
        "Load the demo project “Captura de Carbono Pichanaki” (deterministic, idempotent): "
        "cooperatives, smallholders, parcels in the Pichanaqui district, plantings, monitoring "
        "plots, approved carbon runs and the credits issued from them, a buyer, sales and a "
        "retirement. On a demo loaded by an older version, adds the missing steps."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=positive_float,
            default=1.0,
            help=_("multiply smallholders, parcels and plots (e.g. 10 for benchmarks, 0.1)"),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=services.DEFAULT_SEED,
            help=_("random seed: the same seed and scale give the same rows"),
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("load only if the database holds no project other than the demo project"),
        )
        parser.add_argument("--force", action="store_true", help=_("run even in production mode"))

    def handle(self, *args: object, **options: Any) -> None:  # argparse values
        try:
            services.refuse_in_production(force=options["force"])
            outcome = services.load_demo(
                scale=options["scale"], seed=options["seed"], if_empty=options["if_empty"]
            )
        except (DemoError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if outcome.reason == "database_not_empty":
            self.stdout.write(_("The database already holds projects: demo not loaded."))
            return
        if outcome.reason == "demo_exists":
            self.stdout.write(_("The demo project is already loaded: nothing changed."))
            return
        project = outcome.project
        assert project is not None  # loaded or completed
        if outcome.reason == "completed":
            self.stdout.write(
                _("The demo project was loaded before; completed the missing steps: %(steps)s.")
                % {"steps": ", ".join(outcome.completed_steps)}
            )
        else:
            self.stdout.write(self.style.SUCCESS(self._report(outcome, project)))
        self.stdout.write(self.style.SUCCESS(self._registry_report(project)))
        if options["verbosity"] > 1:
            for name, seconds in outcome.timings.items():
                self.stdout.write(f"  {name}: {seconds:.2f} s")

    def _report(self, outcome: services.LoadOutcome, project: Project) -> str:
        summary = selectors.demo_summary(project)
        return _(
            "Demo project “%(name)s” loaded in %(seconds).1f s: %(cooperatives)d cooperatives, "
            "%(smallholders)d smallholders, %(parcels)d parcels (%(hectares)s ha), "
            "%(plantings)d plantings (%(trees)d trees, %(native).0f%% native), "
            "%(visits)d plot visits with %(measurements)d tree measurements."
        ) % {
            "name": project.name,
            "seconds": outcome.seconds,
            "cooperatives": summary.cooperatives,
            "smallholders": summary.smallholders,
            "parcels": summary.parcels,
            "hectares": f"{summary.hectares:.1f}",
            "plantings": summary.plantings,
            "trees": summary.trees_planted,
            "native": 100 * summary.native_share,
            "visits": summary.plot_visits,
            "measurements": summary.tree_measurements,
        }

    def _registry_report(self, project: Project) -> str:
        summary = selectors.registry_summary(project)
        return _(
            "%(runs)d approved calculation runs; %(verified)d verified units issued and "
            "%(ex_ante)d ex-ante units (%(forward)d still for sale, the rest converted or "
            "cancelled), %(buffer)d of them in the buffer pool; %(sold)d units sold to the demo "
            "buyer, %(retired)d retired. Public registry: %(url)s"
        ) % {
            "runs": summary.approved_runs,
            "verified": summary.verified_issued,
            "ex_ante": summary.ex_ante_issued,
            "forward": summary.ex_ante_available,
            "buffer": summary.buffer,
            "sold": summary.sold,
            "retired": summary.retired,
            "url": settings.PUBLIC_BASE_URL + reverse("credits:project", args=[project.code]),
        }
