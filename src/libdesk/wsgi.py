"""WSGI entry point, served by waitress under `libdesk run`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libdesk.settings")
application = get_wsgi_application()
