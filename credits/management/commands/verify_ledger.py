"""`manage.py verify_ledger [--project CODE]`: re-hash every hash-chained ledger of every
project: the credit ledger's events and the payment ledger's (`pichanaki.ledgers`).

Prints each project's event count and head hash per ledger; on the first edited, deleted or
inserted event of a chain it names the ledger, the event and the reason, checks the other
chains, and exits 1 (a tampered ledger is an incident).
"""

from argparse import ArgumentParser

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from pichanaki.ledgers import ChainedLedger, chained_ledgers
from smallholders.models import Project


class Command(BaseCommand):
    help = "Verify the hash chains of the credit and payment ledgers (exit 1 on a break)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--project", metavar="CODE", help="only this project (its code)")

    def handle(self, *args: object, **options: object) -> None:
        only = None
        if options["project"]:
            only = Project.objects.filter(code=options["project"]).first()
            if only is None:
                raise CommandError(
                    _("No project with the code “%(code)s”.") % {"code": options["project"]}
                )
        broken = []
        for ledger in chained_ledgers():
            self.stdout.write(_("%(ledger)s:") % {"ledger": str(ledger.name).capitalize()})
            project_ids = [only.pk] if only else ledger.project_ids()
            for project in Project.objects.filter(pk__in=project_ids).order_by("code"):
                broken.extend(self._check(ledger, project))
        if broken:
            raise CommandError("\n".join(broken), returncode=1)

    def _check(self, ledger: ChainedLedger, project: Project) -> list[str]:
        found = ledger.verify(project.pk)
        if found is not None:
            where = ledger.describe(found)
            return [
                _("%(project)s, %(ledger)s: the chain is broken at %(where)s")
                % {"project": project.code, "ledger": ledger.name, "where": where}
            ]
        length, digest = ledger.head(project.pk)
        self.stdout.write(
            _("%(project)s: %(count)s events, head %(hash)s: intact")
            % {"project": project.code, "count": length, "hash": digest if length else "-"}
        )
        return []
