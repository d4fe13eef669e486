"""A patron's own account (`/me`), and the account of the patron a staff client is serving
(`/patron`, with the X-Serving-Context header)."""

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Router, Schema

from libdesk.access.purposes import Access
from libdesk.api.schemas import DetailOut, ForbiddenOut
from libdesk.api.serving import ServingHeader, served
from libdesk.api.tokens import PatronBearer, StaffBearer
from libdesk.audit.selectors import reads_of_patron
from libdesk.patrons.access_log import AccessLogLine, in_words
from libdesk.patrons.models import Patron
from libdesk.patrons.selectors import patron_profile

router = Router(tags=["patrons"])


class ProfileOut(Schema):
    patron_card: str
    name: str
    email: str
    phone: str
    language: str
    card_expires: date


class ServedProfileOut(ProfileOut):
    category: str
    home_branch: str
    postal_address: str
    minor_until: date | None


class AccessLogEntryOut(Schema):
    """One look at the patron's record: the log's codes, and the same in words in the
    caller's language (Accept-Language)."""

    at: datetime
    role: str
    role_label: str
    branch: str
    branch_name: str
    data_kind: str
    what: str


def _profile(patron: Patron) -> dict:
    return {
        "patron_card": patron.card_number,
        "name": patron.name,
        "email": patron.email,
        "phone": patron.phone,
        "language": patron.language,
        "card_expires": patron.card_expires,
    }


@router.get("/me", response=ProfileOut, auth=PatronBearer())
def my_profile(request: HttpRequest) -> dict:
    """The signed-in patron's own profile."""
    return _profile(patron_profile(Access.own(request.api_token.patron_id)))


@router.get("/me/access-log", response=list[AccessLogEntryOut], auth=PatronBearer())
def my_access_log(request: HttpRequest) -> list[AccessLogLine]:
    """When, by which role and at which branch staff looked at my record, and what kind of
    data they saw, in words (`role_label`, `branch_name`, `what`) beside the codes."""
    Access.own(request.api_token.patron_id).read("patron.access_log", "access_log")
    return in_words(reads_of_patron(request.api_token.patron_id)[:200])


@router.get(
    "/patron",
    response={200: ServedProfileOut, 403: ForbiddenOut, 404: DetailOut},
    auth=StaffBearer(),
)
def served_profile(
    request: HttpRequest,
    x_serving_context: ServingHeader = None,
) -> dict:
    """The profile of the patron this staff client is serving (audited; the patron sees it)."""
    patron = patron_profile(served(request, x_serving_context).access)
    return {
        **_profile(patron),
        "category": patron.category,
        "home_branch": patron.home_branch.code,
        "postal_address": patron.postal_address,
        "minor_until": patron.minor_until,
    }
