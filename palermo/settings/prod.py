"""Production: HTTPS only, strict cookies. Passes `manage.py check --deploy`."""

from palermo.settings.base import *  # noqa: F403

DEBUG = False
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
# Submitting a domain to the browsers' HSTS preload list is hard to undo: the operator decides.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
