from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "palermo.activities"
    verbose_name = _("Who does what where")
    default_auto_field = "django.db.models.BigAutoField"
