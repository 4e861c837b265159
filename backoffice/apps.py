from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    """The product's own panel for managers and cooperative staff (`/panel/`), read-only views
    over the other apps' selectors. The Django admin stays for data stewardship."""

    name = "backoffice"
    verbose_name = _("Back-office")

    def ready(self) -> None:
        from backoffice import receivers

        receivers.connect()
