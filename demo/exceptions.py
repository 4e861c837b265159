"""Why the demo commands refuse to run."""

from django.utils.translation import gettext_lazy as _


class DemoError(Exception):
    """A demo command cannot run; the message says why and what to do."""


class DemoRefusedInProduction(DemoError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "This installation runs in production mode (PICHANAKI_ENV=production): demo data "
                "and demo logins are refused. Use --force only if you really mean it."
            )
        )


class DemoNotLoaded(DemoError):
    def __init__(self) -> None:
        super().__init__(_("The demo project is not loaded yet: run “manage.py seed_demo” first."))


class DemoTooLarge(DemoError):
    def __init__(self, parcels: int, cells: int) -> None:
        super().__init__(
            _(
                "%(parcels)d demo parcels do not fit in the district (room for %(cells)d): use a "
                "smaller --scale."
            )
            % {"parcels": parcels, "cells": cells}
        )


class DemoRunFailed(DemoError):
    def __init__(self, run_id: int, error: str) -> None:
        super().__init__(
            _("Demo calculation run #%(run)s did not succeed: %(error)s")
            % {"run": run_id, "error": error or "—"}
        )
