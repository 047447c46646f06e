from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IngestConfig(AppConfig):
    name = "palermo.ingest"
    verbose_name = _("Imports and exports")
    default_auto_field = "django.db.models.BigAutoField"
