"""Whom an API call acts for. A patron token acts for its own patron; a staff token acts for
the patron of the serving context named in the X-Serving-Context header, opened on the card
(POST /api/v1/serving), exactly as the web desk does: staff never reach a patron's loans, holds,
fees or requests by card number alone, and every read is audited and shown to the patron."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from ninja import Header, P

from libdesk.access.purposes import Access
from libdesk.access.table import Context, require
from libdesk.core.errors import InputError, NotFound
from libdesk.patrons.models import Patron
from libdesk.privacy.models import ServingContext
from libdesk.privacy.services import active_serving_context, serving_access

SERVING_HEADER = "X-Serving-Context"
SERVING_HEADER_HELP = (
    "Staff tokens: the id of the serving context opened on the patron's card "
    "(POST /api/v1/serving). Patron tokens do not send it."
)


# How an operation declares the header, so the OpenAPI documents it with its bound:
#   def handler(request, ..., x_serving_context: ServingHeader = None)
ServingHeader = Header[
    str | None, P(alias=SERVING_HEADER, max_length=64, description=SERVING_HEADER_HELP)
]


class ServingContextMissing(InputError):
    """A staff call about a patron came without the serving context: answered 422."""

    location = "header"


@dataclass(frozen=True)
class Served:
    access: Access
    patron: Patron
    context: ServingContext | None  # None when patrons act for themselves


def served(request: HttpRequest, context_id: str | None) -> Served:
    """The patron this call is about, with the Access the selectors need (404 for a serving
    context that is not this member of staff's, has ended, or never existed)."""
    token = request.api_token
    if token.patron_id is not None:
        return Served(Access.own(token.patron_id), token.patron, None)
    # A role that can never serve a patron is told so (403), not asked for a context (422).
    require(token.staff.role, "serving_context", "create", Context.NONE)
    if not (context_id or "").strip():
        raise ServingContextMissing(
            SERVING_HEADER,
            "open a serving context on the patron's card (POST /api/v1/serving) and send its id",
        )
    context = active_serving_context(context_id, token.staff, token.workstation)
    if context is None:
        raise NotFound
    return Served(serving_access(context), context.patron, context)
