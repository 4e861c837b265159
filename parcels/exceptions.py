"""Domain errors of the field-data workflow (bad values raise Django's ValidationError)."""

from django.utils.translation import gettext_lazy as _


class InvalidTransition(Exception):
    """A parcel status change that its current status does not allow (HTTP 409 in the API)."""

    def __init__(self, *, parcel_code: str, current: str, wanted: str) -> None:
        self.parcel_code = parcel_code
        self.current = current
        self.wanted = wanted
        super().__init__(
            _("Parcel %(code)s is %(current)s and cannot become %(wanted)s.")
            % {"code": parcel_code, "current": current, "wanted": wanted}
        )


class BoundaryLocked(Exception):
    """The boundary of a submitted or validated parcel cannot be edited (HTTP 409)."""

    def __init__(self, *, parcel_code: str) -> None:
        self.parcel_code = parcel_code
        super().__init__(
            _(
                "Parcel %(code)s has been submitted or validated; reject it before editing its "
                "boundary."
            )
            % {"code": parcel_code}
        )
