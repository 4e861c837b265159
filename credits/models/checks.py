"""The scheduled checks of the hash-chained ledgers (`credits.services.check_ledgers`)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from credits.choices import ChainProblem
from pichanaki.hashchain import Break
from pichanaki.ledgers import ledger_named
from smallholders.models import Project


class LedgerCheck(models.Model):
    """One check of a project's chained ledger (the credit or the payment ledger): the chain's
    length and head hash when it was checked, and its first break, if any.

    A check re-hashes the chain and compares it to the head that the last intact check of
    that ledger and project recorded, so the recorded heads are kept heads: a chain that shrank
    or was rewritten since is a break. Rows are written once and never changed.
    """

    checked_at = models.DateTimeField(_("checked at"))
    ledger = models.CharField(_("ledger"), max_length=20)  # a key of `pichanaki.ledgers`
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("project")
    )
    length = models.PositiveBigIntegerField(_("events"))
    head_hash = models.CharField(_("head hash"), max_length=64)
    problem = models.CharField(
        _("problem"), max_length=10, choices=ChainProblem.choices, blank=True
    )  # blank: intact
    position = models.PositiveBigIntegerField(_("position of the break"), null=True, blank=True)
    # The event the break names (an id in this ledger's event table), when it names one.
    event_id = models.PositiveBigIntegerField(_("event"), null=True, blank=True)
    # The head recorded by the last intact check, that this one compared the chain to.
    compared_length = models.PositiveBigIntegerField(
        _("events at the earlier check"), null=True, blank=True
    )
    compared_hash = models.CharField(_("head hash at the earlier check"), max_length=64, blank=True)
    # A rewritten chain: the hash of the event at the compared position now.
    found_hash = models.CharField(_("hash found at that position"), max_length=64, blank=True)

    class Meta:
        ordering = ["-checked_at", "-pk"]
        verbose_name = _("ledger check")
        verbose_name_plural = _("ledger checks")
        indexes = [
            models.Index(
                fields=["project", "ledger", "-checked_at", "-id"], name="credits_check_last_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(problem="", position__isnull=True)
                | (~Q(problem="") & Q(position__isnull=False)),
                name="%(app_label)s_%(class)s_break_has_position",
                violation_error_message=_("A break names its position; an intact chain none."),
            )
        ]

    def __str__(self) -> str:
        state = gettext("intact") if self.intact else self.get_problem_display()
        return f"{self.ledger} {self.project_id} {self.checked_at:%Y-%m-%d %H:%M}: {state}"

    @property
    def intact(self) -> bool:
        return not self.problem

    def describe(self) -> str:
        """The break in words (in the active language), naming the event; "" when intact."""
        if self.intact:
            return ""
        values = {
            "position": self.position,
            "length": self.length,
            "kept": self.compared_length,
            "hash": self.compared_hash,
            "found": self.found_hash or "-",
        }
        if self.problem == ChainProblem.SHORTER:
            return (
                gettext(
                    "the chain holds only %(length)s events, fewer than the %(kept)s of the head "
                    "an earlier check recorded (%(hash)s): events were cut off its end"
                )
                % values
            )
        if self.problem == ChainProblem.REWRITTEN:
            return (
                gettext(
                    "event %(position)s now hashes to %(found)s, not to %(hash)s as an earlier "
                    "check recorded: the history up to it was rewritten"
                )
                % values
            )
        ledger = ledger_named(self.ledger)
        found = Break(self.event_id, self.position or 0, self.problem)
        return ledger.describe(found) if ledger else self.get_problem_display()
