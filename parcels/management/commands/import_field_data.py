"""`manage.py import_field_data KIND FILE --project CODE [--cooperative CODE] [--commit]`.

Without --commit the file is checked and the preview printed; nothing is written. Errors are
printed one per line as "row N, field: reason" and the command exits with status 1 (nothing
written). The format is detected from the file unless --format names it. For parcels,
--land-use gives the land use before the project for rows (or files) that have none.
"""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from django.utils.translation import gettext as _

from parcels.choices import LandUse
from parcels.importing.base import ImportContext
from parcels.importing.readers.detect import FORMATS
from parcels.importing.services import IMPORTERS, Outcome, import_context, import_file
from pichanaki.locking import LockTimeout
from smallholders.models import Cooperative, Project


class Command(BaseCommand):
    help = "Preview or import smallholders, parcels, plantings or tree measurements from a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(IMPORTERS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--project", required=True, help="Project code.")
        parser.add_argument("--cooperative", help="Cooperative code (default: from each row).")
        parser.add_argument("--commit", action="store_true", help="Write (all or nothing).")
        parser.add_argument("--format", choices=FORMATS, default="", help="Skip detection.")
        parser.add_argument("--user", help="Import with this user's rights and audit name.")
        parser.add_argument(
            "--land-use",
            choices=LandUse.values,
            default="",
            dest="land_use",
            help="Parcels: land use before the project for rows without one (the file has no "
            "land-use column or an empty cell); without it such rows are errors.",
        )

    def handle(self, *args: object, **options: Any) -> None:  # argparse values
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": path})
        context = self._context(options)
        try:
            outcome = import_file(
                kind=options["kind"],
                data=path.read_bytes(),
                filename=path.name,
                context=context,
                requested_format=options["format"],
                commit=options["commit"],
            )
        except LockTimeout as busy:  # another import or parcel save holds the project's lock
            raise CommandError(busy.message, returncode=1) from busy
        self._print(outcome, options["commit"])
        if outcome.plan.errors:
            raise CommandError(
                _("%(count)s error(s); nothing was written.") % {"count": len(outcome.plan.errors)},
                returncode=1,
            )

    def _context(self, options: dict[str, Any]) -> ImportContext:
        try:
            project = Project.objects.get(code=options["project"])
            cooperative = (
                Cooperative.objects.get(code=options["cooperative"])
                if options["cooperative"]
                else None
            )
            user = (
                get_user_model().objects.get(username=options["user"]) if options["user"] else None
            )
            return import_context(
                user=user,
                project=project,
                cooperative=cooperative,
                reason=_("Command-line import"),
                land_use_before=options["land_use"],
            )
        except (Project.DoesNotExist, Cooperative.DoesNotExist, Http404):
            raise CommandError(
                _("Unknown project or cooperative (or outside your scope).")
            ) from None
        except get_user_model().DoesNotExist:
            raise CommandError(_("Unknown user %(name)s.") % {"name": options["user"]}) from None
        except (PermissionDenied, ValidationError) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from None

    def _print(self, outcome: Outcome, commit: bool) -> None:
        plan = outcome.plan
        self.stdout.write(
            _(
                "Format: %(format)s; rows: %(rows)s; to create: %(create)s; to "
                "update: %(update)s; errors: %(errors)s."
            )
            % {
                "format": outcome.format or "?",
                "rows": plan.rows,
                "create": plan.to_create,
                "update": plan.to_update,
                "errors": len(plan.errors),
            }
        )
        for error in plan.sorted_errors():
            self.stderr.write(str(error))
        if plan.errors:
            return
        for item in plan.sample():
            action = _("update") if item["action"] == "update" else _("create")
            self.stdout.write(f"  {_('row')} {item['row']}: {action} {item['label']}")
        if outcome.committed:
            self.stdout.write(self.style.SUCCESS(_("Imported.")))
        elif not commit:
            self.stdout.write(_("Preview only: nothing was written (add --commit to import)."))
