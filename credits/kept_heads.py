"""The public check of a kept head: "is the hash I kept still at that position of the chain?"

The registry pages publish each ledger's head (the project page the credit ledger's, the
benefits page the payment ledger's) with a small form under it, and the API answers the same
question for machines (`/api/v1/kept-heads/<ledger>/<project>/`). Both call
`pichanaki.ledgers.check_kept_head`, the code of `verify_ledger --kept-head`. Only hashes and
counts are shown, never an event's content.
"""

import re

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pichanaki.ledgers import IN_CHAIN, SHORTER, KeptHeadCheck, check_kept_head, ledger_named
from smallholders.models import Project

HASH = re.compile(r"[0-9a-f]{64}")
MAX_POSITION = 2**63 - 1  # the largest position a database column holds


class KeptHeadForm(forms.Form):
    position = forms.IntegerField(
        label=_("Events (the head's position)"), min_value=1, max_value=MAX_POSITION
    )
    hash = forms.CharField(label=_("Head hash (SHA-256)"), max_length=200)

    def clean_hash(self) -> str:
        # Copied hashes come with spaces, line breaks or capitals: the digits are what count.
        value = "".join(self.cleaned_data["hash"].split()).lower()
        if not HASH.fullmatch(value):
            raise forms.ValidationError(
                _("A SHA-256 hash has 64 characters: the digits 0–9 and the letters a–f.")
            )
        return value


def kept_head_answer(check: KeptHeadCheck) -> str:
    """The answer in plain words, in the active language."""
    values = {"position": check.position, "length": check.length, "found": check.found}
    if check.outcome == IN_CHAIN:
        return (
            gettext(
                "Yes: event %(position)s of this registry's chain still has that hash. The chain "
                "now holds %(length)s events."
            )
            % values
        )
    if check.outcome == SHORTER:
        return (
            gettext(
                "No: the chain now holds only %(length)s events, fewer than the %(position)s of "
                "the head you kept. Events were cut off its end."
            )
            % values
        )
    if check.found is None:
        return (
            gettext(
                "No: the chain has no event at position %(position)s, although its head says it "
                "holds %(length)s events."
            )
            % values
        )
    return (
        gettext(
            "No: event %(position)s of the chain now has another hash: %(found)s. Either the "
            "history up to that event was rewritten, or the hash you kept was copied with a "
            "mistake (compare them character by character)."
        )
        % values
    )


def kept_head_context(request: HttpRequest, *, ledger_key: str, project: Project) -> dict:
    """The form of a registry page (bound when the page was asked with `position` or `hash`)
    and, when its input is valid, the check and its answer."""
    asked = "position" in request.GET or "hash" in request.GET
    form = KeptHeadForm(request.GET if asked else None)
    context: dict = {"form": form, "check": None, "answer": ""}
    ledger = ledger_named(ledger_key)
    if ledger is not None and form.is_valid():
        check = check_kept_head(
            ledger,
            project_id=project.pk,
            position=form.cleaned_data["position"],
            digest=form.cleaned_data["hash"],
        )
        context.update(check=check, answer=kept_head_answer(check))
    return context
