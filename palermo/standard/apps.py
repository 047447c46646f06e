from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardConfig(AppConfig):
    name = "palermo.standard"
    verbose_name = _("Data standard")
    default_auto_field = "django.db.models.BigAutoField"
