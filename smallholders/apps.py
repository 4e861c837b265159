from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmallholdersConfig(AppConfig):
    name = "smallholders"
    verbose_name = _("Projects and smallholders")
