"""`manage.py verify_ledger [--project CODE]`: re-hash every project's ledger event chain.

Prints each project's event count and head hash; on the first edited, deleted or inserted
event it names the event and the reason and exits 1 (a tampered ledger is an incident).
"""

from argparse import ArgumentParser

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from credits.chain import describe_break, verify_chain
from credits.models import LedgerChainHead, LedgerEvent
from smallholders.models import Project


class Command(BaseCommand):
    help = "Verify the hash chain of the credit ledger events (exit 1 on the first break)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--project", metavar="CODE", help="only this project (its code)")

    def handle(self, *args: object, **options: object) -> None:
        projects = Project.objects.filter(
            Q(pk__in=LedgerEvent.objects.values("project_id"))
            | Q(pk__in=LedgerChainHead.objects.values("project_id"))
        ).order_by("code")
        if options["project"]:
            projects = Project.objects.filter(code=options["project"])
            if not projects:
                raise CommandError(
                    _("No project with the code “%(code)s”.") % {"code": options["project"]}
                )
        broken = []
        for project in projects:
            found = verify_chain(project.pk)
            if found is not None:
                broken.append(
                    _("%(project)s: the chain is broken at %(where)s")
                    % {"project": project.code, "where": describe_break(found)}
                )
                continue
            head = LedgerChainHead.objects.filter(project=project).first()
            length, digest = (head.length, head.head_hash) if head else (0, "-")
            self.stdout.write(
                _("%(project)s: %(count)s events, head %(hash)s: intact")
                % {"project": project.code, "count": length, "hash": digest}
            )
        if broken:
            raise CommandError("\n".join(broken), returncode=1)
