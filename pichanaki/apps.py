from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PichanakiConfig(AppConfig):
    name = "pichanaki"
    verbose_name = _("pichanaki")
