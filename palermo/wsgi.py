"""WSGI entry point. Production servers use palermo.settings.prod unless told otherwise."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "palermo.settings.prod")

application = get_wsgi_application()
