"""A correction request (PRIVACY.md, "Patrons' rights"): the patron asks in their own words,
staff serving them see it and mark it done, and it is then deleted; the audit log records
that it was asked and handled, never its text."""

import pytest

from libdesk.audit.models import AuditEntry
from libdesk.rights.models import CorrectionRequest
from tests.conftest import AVERY, BEATRICE

pytestmark = pytest.mark.django_db

ASKED = "My postal address is 12 Lakeview Road now."


def _context(staff_browser, card: str = AVERY) -> str:
    response = staff_browser.post("/staff/desk/card/", {"card": card})
    return response["Location"].rstrip("/").rsplit("/", 1)[1]


def test_staff_serving_the_patron_see_the_request_and_mark_it_done(browser, staff_client):
    web = browser(AVERY)
    sent = web.post("/account/privacy/correction/", {"text": ASKED}, follow=True)
    assert "Your request was sent to staff." in sent.content.decode()
    assert ASKED in web.get("/account/privacy/").content.decode()  # the patron sees it waiting
    clerk = staff_client("clerk")
    context = _context(clerk)
    page = clerk.get(f"/staff/serving/{context}/privacy/corrections/").content.decode()
    assert ASKED in page
    correction = CorrectionRequest.objects.get()
    done = clerk.post(
        f"/staff/serving/{context}/privacy/corrections/",
        {"correction_id": correction.pk},
        follow=True,
    )
    assert "the request was deleted" in done.content.decode()
    assert not CorrectionRequest.objects.exists()
    assert ASKED not in web.get("/account/privacy/").content.decode()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"patron.correction.ask", "patron.correction.done"} <= actions
    for entry in AuditEntry.objects.all():
        assert "Lakeview" not in " ".join(
            str(v) for v in (entry.reason, entry.object_id, entry.data_kind)
        )


def test_a_request_is_seen_only_when_serving_its_patron(browser, staff_client):
    browser(AVERY).post("/account/privacy/correction/", {"text": ASKED})
    correction = CorrectionRequest.objects.get()
    clerk = staff_client("clerk")
    other = _context(clerk, BEATRICE)
    assert ASKED not in clerk.get(f"/staff/serving/{other}/privacy/corrections/").content.decode()
    # marking Avery's request done while serving Beatrice finds nothing to mark
    answer = clerk.post(
        f"/staff/serving/{other}/privacy/corrections/",
        {"correction_id": correction.pk},
        follow=True,
    )
    assert "already handled" in answer.content.decode()
    assert CorrectionRequest.objects.filter(pk=correction.pk).exists()


def test_an_empty_or_overlong_request_is_refused_at_its_field(browser):
    web = browser(AVERY)
    empty = web.post("/account/privacy/correction/", {"text": "   "})
    assert empty.status_code == 400
    assert 'id="id_text_error"' in empty.content.decode()
    long = web.post("/account/privacy/correction/", {"text": "x" * 1001})
    assert long.status_code == 400
    assert not CorrectionRequest.objects.exists()


def test_a_guardian_shown_the_childs_account_is_not_shown_corrections(browser):
    """At the desk, a guardian is shown a child's loans, holds and fees: corrections are read
    as contact details, which the guardian exception does not reach."""
    from libdesk.access.purposes import Access
    from libdesk.access.table import AccessDenied, Context, Role
    from libdesk.audit.actors import Actor
    from libdesk.patrons.models import Patron
    from libdesk.rights.selectors import open_corrections
    from tests.conftest import JORDAN, SAM

    browser(SAM).post("/account/privacy/correction/", {"text": ASKED})
    sam, jordan = (Patron.objects.get(card_number=card) for card in (SAM, JORDAN))
    at_desk = Access(
        Actor.system("test"),
        Role.CLERK,
        Context.GUARDIAN_AT_DESK,
        sam.pk,
        "guardian_with_child_card",
        guardian_id=jordan.pk,
    )
    with pytest.raises(AccessDenied):
        open_corrections(at_desk)
