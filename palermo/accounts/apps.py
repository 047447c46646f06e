from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "palermo.accounts"
    label = "accounts"
    verbose_name = _("Organisations and people")

    def ready(self) -> None:
        # Authentication signals are Django's only hook for logins made by any door (the login
        # page, the admin, axes). They only write audit events; no business logic lives there.
        from palermo.accounts import signals  # noqa: F401
        from palermo.accounts.api import schema  # noqa: F401
