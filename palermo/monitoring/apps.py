from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "palermo.monitoring"
    verbose_name = _("Monitoring implementation")
    default_auto_field = "django.db.models.BigAutoField"
