from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo project: top floor, it calls every app's services and nothing imports it."""

    name = "demo"
    verbose_name = _("Demo")
