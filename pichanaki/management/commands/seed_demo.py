"""`manage.py seed_demo`: load the demo project (used by `make run`)."""

import argparse

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pichanaki.demo import selectors, services
from pichanaki.demo.exceptions import DemoError


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(_("must be a number above 0, not “%s”") % text)
    return value


class Command(BaseCommand):
    help = gettext_lazy(
        "Load the demo project “Captura de Carbono Pichanaki” (deterministic, idempotent): "
        "cooperatives, smallholders, parcels in the Pichanaqui district, plantings and "
        "monitoring plots."
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
            help=_("load only if the database holds no project at all"),
        )
        parser.add_argument("--force", action="store_true", help=_("run even in production mode"))

    def handle(self, *args: object, **options: object) -> None:
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
        self.stdout.write(self.style.SUCCESS(self._report(outcome)))

    def _report(self, outcome: services.LoadOutcome) -> str:
        summary = selectors.demo_summary(outcome.project)
        return _(
            "Demo project “%(name)s” loaded in %(seconds).1f s: %(cooperatives)d cooperatives, "
            "%(smallholders)d smallholders, %(parcels)d parcels (%(hectares)s ha), "
            "%(plantings)d plantings (%(trees)d trees, %(native).0f%% native), "
            "%(visits)d plot visits with %(measurements)d tree measurements."
        ) % {
            "name": outcome.project.name,
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
