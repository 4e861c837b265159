from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from parcels.carbon import cli
from parcels.carbon.notices import Notice, ParameterError


def _translated(notice: Notice) -> str:
    return notice.render(gettext)


class Command(BaseCommand):
    help = _(
        "Compute wood density, height, biomass, carbon and CO2e of every tree of a CSV "
        "(columns tree_id, species, dbh_cm, height_m; optional wood_density, plot_id). "
        "Any bad row: every error is printed, nothing is written, exit status 1."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("input", help=_("trees CSV"))
        parser.add_argument("-o", "--output", required=True, help=_("output CSV"))
        cli.add_parameter_arguments(parser)

    def handle(self, *args: object, **options: object) -> None:
        try:
            params = cli.parameters_from_options(options)
        except ParameterError as error:
            raise CommandError(error.notice.render(gettext)) from None
        status = cli.carbon_trees(
            options["input"],
            options["output"],
            params=params,
            stderr=self.stderr,
            render=_translated,
        )
        if status:
            raise CommandError(gettext("bad input: nothing was written"), returncode=status)
