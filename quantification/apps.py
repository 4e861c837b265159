from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuantificationConfig(AppConfig):
    """Trees to tonnes: the pure carbon engine (`engine/`) and the calculation runs."""

    name = "quantification"
    verbose_name = _("Carbon calculations")
