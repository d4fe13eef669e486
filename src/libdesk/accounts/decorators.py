"""The staff client's door: signed in, at a registered workstation, with the right role."""

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

from libdesk.accounts.models import Workstation

WORKSTATION_KEY = "libdesk_workstation_id"


def session_workstation(request: HttpRequest) -> Workstation | None:
    workstation_id = request.session.get(WORKSTATION_KEY)
    if workstation_id is None:
        return None
    return (
        Workstation.objects.select_related("branch").filter(pk=workstation_id, active=True).first()
    )


def staff_required(roles: Iterable[str] | None = None) -> Callable:
    """Let through signed-in staff at an active workstation (request.workstation); with
    `roles`, only those roles (403 otherwise: the page is not theirs to use)."""
    allowed_roles = set(roles) if roles else None

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            workstation = session_workstation(request) if request.user.is_authenticated else None
            if workstation is None:
                return redirect_to_login(request.get_full_path())
            if allowed_roles is not None and request.user.role not in allowed_roles:
                raise PermissionDenied
            request.workstation = workstation
            response = view(request, *args, **kwargs)
            response["Cache-Control"] = "no-store"
            return response

        return never_cache(wrapped)

    return decorator
