"""System checks of libdesk's own (`libdesk check --deploy`).

libdesk's CSRF middleware is a subclass of Django's (web/middleware.py), which Django's own
checks (security.W003, and W016 on the cookie) skip, since they look for Django's class by
name; settings silence W003, and this check does the work of both: some CsrfViewMiddleware must
be installed, and its cookie Secure.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.module_loading import import_string


def check_csrf_middleware(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    for path in settings.MIDDLEWARE:
        middleware = import_string(path)
        if isinstance(middleware, type) and issubclass(middleware, CsrfViewMiddleware):
            return _csrf_cookie()
    return [
        checks.Error(
            "No CSRF middleware: MIDDLEWARE holds no subclass of Django's CsrfViewMiddleware, "
            "so forms could be posted from other sites",
            id="libdesk.E010",
        )
    ]


def _csrf_cookie() -> list[checks.CheckMessage]:
    if settings.CSRF_USE_SESSIONS or settings.CSRF_COOKIE_SECURE:
        return []
    return [
        checks.Warning(
            "The CSRF cookie is not marked Secure: set LIBDESK_HTTPS=1 behind the TLS proxy",
            id="libdesk.W011",
        )
    ]
