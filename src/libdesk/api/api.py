"""The NinjaAPI behind /api/v1/, with libdesk's status-code conventions.

201 when something is created, 200 otherwise; 409 {"decision": ...} when an action is refused;
422 with the field errors for malformed input; 404 for anything the caller may not see,
exactly as if it did not exist; 429 with Retry-After when rate-limited.
"""

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI

from libdesk.access.table import CONTEXT_NOT_PERMITTED, ROLE_NOT_PERMITTED, AccessDenied
from libdesk.api.auth import router as auth_router
from libdesk.api.idempotency import KeyReused
from libdesk.api.openapi import document_common_answers
from libdesk.catalog.api import router as catalog_router
from libdesk.circulation.api import router as circulation_router
from libdesk.core.decisions import Refused
from libdesk.core.errors import InputError
from libdesk.feedback.api import me_router as feedback_me_router
from libdesk.feedback.api import router as feedback_router
from libdesk.library.api import router as library_router
from libdesk.patrons.api import router as patrons_router
from libdesk.policies.api import router as policies_router
from libdesk.privacy.api import disclosure_router
from libdesk.privacy.api import router as serving_router
from libdesk.programs.api import router as programs_router
from libdesk.reference.api import me_router as reference_me_router
from libdesk.reference.api import router as reference_router
from libdesk.rights.api import router as rights_router


class LibdeskApi(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs) -> dict:
        return document_common_answers(super().get_openapi_schema(*args, **kwargs))


api = LibdeskApi(
    title="libdesk API",
    version="1",
    description=(
        "The library's JSON API. Refusals answer 409 with the Decision that explains them, "
        "in the caller's language (Accept-Language: en or fr)."
    ),
    urls_namespace="api",
)


@api.exception_handler(Refused)
def refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    response = api.create_response(request, {"decision": exc.decision.as_json()}, status=exc.status)
    if exc.retry_after:
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found"}, status=404)


FORBIDDEN = {
    ROLE_NOT_PERMITTED: "Your role may not do this.",
    CONTEXT_NOT_PERMITTED: "Your role may do this, but not in this context "
    "(a guardian at the desk is shown the child's account; nothing is changed there).",
}


@api.exception_handler(AccessDenied)
def forbidden(request: HttpRequest, exc: AccessDenied) -> HttpResponse:
    body = {"detail": FORBIDDEN.get(exc.code, FORBIDDEN[ROLE_NOT_PERMITTED]), "code": exc.code}
    return api.create_response(request, body, status=403)


@api.exception_handler(InputError)
def invalid_input(request: HttpRequest, exc: InputError) -> HttpResponse:
    detail = [{"loc": [exc.location, exc.field], "msg": exc.message, "type": "value_error"}]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(KeyReused)
def idempotency_key_reused(request: HttpRequest, exc: KeyReused) -> HttpResponse:
    detail = [{"loc": ["header", "Idempotency-Key"], "msg": str(exc), "type": "value_error"}]
    return api.create_response(request, {"detail": detail}, status=422)


api.add_router("/auth", auth_router)
api.add_router("/serving", serving_router)
api.add_router("/", patrons_router)
api.add_router("/", circulation_router)
api.add_router("/", disclosure_router)
api.add_router("/", rights_router)
api.add_router("/", reference_me_router)
api.add_router("/", feedback_me_router)
api.add_router("/", programs_router)
api.add_router("/catalog", catalog_router)
api.add_router("/policies", policies_router)
api.add_router("/reference", reference_router)
api.add_router("/branches", library_router)
api.add_router("/feedback", feedback_router)
