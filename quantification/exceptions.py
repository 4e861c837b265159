"""Domain errors of calculation runs and parameter sets."""

from django.utils.translation import gettext_lazy as _

from quantification.figures import notice_dict, translate_warning


class CalculationError(Exception):
    """Base class; `message` is translated for the person who asked."""

    default_message = _("The calculation could not be carried out.")

    def __init__(self, message: str | None = None) -> None:
        self.message = str(message or self.default_message)
        super().__init__(self.message)


class InvalidParameters(CalculationError):
    """A parameter set that the carbon engine refuses; `field` names the parameter."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        super().__init__(_("Parameter %(field)s: %(reason)s") % {"field": field, "reason": reason})


class RunStateConflict(CalculationError):
    """The run is not in the state the operation needs (someone else acted first)."""

    default_message = _("The run is no longer in a state that allows this.")


class NotAllowed(CalculationError):
    """The person may see the run but not approve, reject or start it."""

    default_message = _("You may not do this for this project.")


class NoParameterSet(CalculationError):
    default_message = _("The project has no carbon parameter set yet.")


class RunNotReady(CalculationError):
    """The project is not ready for the run; `problems` are the readiness notices (each
    naming parcels or strata), `messages` their translations in the active language and
    `sentences` the same, capitalised with a full stop (for forms and API errors)."""

    def __init__(self, problems) -> None:
        self.problems = [notice_dict(p) for p in problems]
        self.messages = [translate_warning(p) for p in self.problems]
        self.sentences = [m[:1].upper() + m[1:] + "." for m in self.messages]
        super().__init__(" ".join(self.sentences))
