"""`manage.py verify_ledger [--project CODE] [--kept-head LEDGER:CODE:LENGTH:HASH …]`: re-hash
every hash-chained ledger of every project: the credit ledger's events and the payment
ledger's (`pichanaki.ledgers`).

Prints each project's event count and head hash per ledger; on the first edited, deleted or
inserted event of a chain it names the ledger, the event and the reason, checks the other
chains, and exits 1 (a tampered ledger is an incident).

The hashes have no secret, so whoever can write the tables can also cut the last events and
rewind the head, or rewrite the history from some event on with every later hash and the head
recomputed: the chain then verifies. Only a head kept outside the database shows that, and
`--kept-head` checks one (`credits:pch:70:<hash>` or `payments:…`, as the public registry pages
show it): the chain must still hold that many events, the last of them with that hash.
"""

import re
from argparse import ArgumentParser, ArgumentTypeError
from typing import NamedTuple

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from pichanaki.ledgers import (
    REWRITTEN,
    SHORTER,
    ChainedLedger,
    chained_ledgers,
    check_chain,
    check_kept_head,
)
from smallholders.models import Project

KEPT_HEAD = re.compile(r"(?P<ledger>\w+):(?P<code>[-\w]+):(?P<length>\d+):(?P<digest>[0-9a-f]{64})")


class KeptHead(NamedTuple):
    ledger: str
    code: str
    length: int
    digest: str


def kept_head(value: str) -> KeptHead:
    """A head kept earlier, as LEDGER:CODE:LENGTH:HASH (argparse type)."""
    match = KEPT_HEAD.fullmatch(value.strip())
    if match is None:
        raise ArgumentTypeError(
            _("“%(value)s” is not LEDGER:CODE:LENGTH:HASH (a 64-digit lowercase hex hash).")
            % {"value": value}
        )
    found = match.groupdict()
    return KeptHead(found["ledger"], found["code"], int(found["length"]), found["digest"])


class Command(BaseCommand):
    help = "Verify the hash chains of the credit and payment ledgers (exit 1 on a break)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--project", metavar="CODE", help="only this project (its code)")
        parser.add_argument(
            "--kept-head",
            action="append",
            type=kept_head,
            default=[],
            metavar="LEDGER:CODE:LENGTH:HASH",
            help="a head kept earlier (ledger credits or payments): it must still be in the chain",
        )

    def handle(self, *args: object, **options: object) -> None:
        only = None
        if options["project"]:
            only = self._project(str(options["project"]))
        ledgers = {ledger.key: ledger for ledger in chained_ledgers()}
        kept: list[KeptHead] = options["kept_head"]  # type: ignore[assignment]
        for head in kept:
            if head.ledger not in ledgers:
                raise CommandError(
                    _("No ledger “%(ledger)s”: use one of %(keys)s.")
                    % {"ledger": head.ledger, "keys": ", ".join(ledgers)}
                )
        broken = []
        for ledger in ledgers.values():
            self.stdout.write(_("%(ledger)s:") % {"ledger": str(ledger.name).capitalize()})
            project_ids = [only.pk] if only else ledger.project_ids()
            for project in Project.objects.filter(pk__in=project_ids).order_by("code"):
                broken.extend(self._check(ledger, project))
        for head in kept:
            broken.extend(self._check_kept(ledgers[head.ledger], head))
        if broken:
            raise CommandError("\n".join(broken), returncode=1)

    def _project(self, code: str) -> Project:
        project = Project.objects.filter(code=code).first()
        if project is None:
            raise CommandError(_("No project with the code “%(code)s”.") % {"code": code})
        return project

    def _check(self, ledger: ChainedLedger, project: Project) -> list[str]:
        checked = check_chain(ledger, project_id=project.pk)
        if checked.broken is not None:
            where = ledger.describe(checked.broken)
            return [
                _("%(project)s, %(ledger)s: the chain is broken at %(where)s")
                % {"project": project.code, "ledger": ledger.name, "where": where}
            ]
        length, digest = checked.length, checked.head_hash
        self.stdout.write(
            _("%(project)s: %(count)s events, head %(hash)s: intact")
            % {"project": project.code, "count": length, "hash": digest if length else "-"}
        )
        return []

    def _check_kept(self, ledger: ChainedLedger, head: KeptHead) -> list[str]:
        """The kept head must still be in the chain: a chain only grows, so its last event is
        still at that position with that hash (checked after the chain itself)."""
        project = self._project(head.code)
        held = check_kept_head(
            ledger, project_id=project.pk, position=head.length, digest=head.digest
        )
        values = {
            "project": project.code,
            "ledger": ledger.name,
            "length": head.length,
            "hash": head.digest,
            "count": held.length,
        }
        if held.outcome == SHORTER:
            return [
                _(
                    "%(project)s, %(ledger)s: the kept head (%(length)s events, %(hash)s) is "
                    "gone: the chain holds only %(count)s events (events cut off its end)"
                )
                % values
            ]
        if held.outcome == REWRITTEN:
            return [
                _(
                    "%(project)s, %(ledger)s: the kept head (%(length)s events, %(hash)s) is "
                    "gone: event %(length)s now hashes to %(found)s (the history up to it was "
                    "rewritten)"
                )
                % {**values, "found": held.found or "-"}
            ]
        self.stdout.write(
            _("%(project)s, %(ledger)s: the kept head (%(length)s events) is in the chain") % values
        )
        return []
