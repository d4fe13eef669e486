"""No page points a screen reader at an id it does not have: every aria-describedby,
aria-labelledby, label `for` and in-page link names an element on the page, on first view
and after a refused form (where Django adds `aria-describedby` to the fields in error)."""

import pytest
from django.test import Client

from tests.canaries import PINS
from tests.conftest import AVERY
from tests.html_ids import dangling_references

pytestmark = pytest.mark.django_db

ASK_WHY = "/ask-why/?clause=OP-02-01-01%2Fpurpose"


def test_the_helper_finds_a_dangling_reference():
    page = '<label for="a">A</label><input id="a" aria-describedby="a_error b">'
    assert dangling_references(page) == [
        '<input aria-describedby="a_error">',
        '<input aria-describedby="b">',
    ]
    assert dangling_references('<label for="">x</label>') == ['<label for="">']


def test_the_ask_why_page_shows_the_question_box_on_first_view(client, demo_library):
    page = client.get(ASK_WHY).content.decode()
    assert 'name="question"' in page and 'name="contact_email"' in page
    assert page.count('name="clause"') == 1 and 'value="OP-02-01-01/purpose"' in page
    assert dangling_references(page) == []


def test_the_ask_why_error_is_tied_to_its_field(client, demo_library):
    response = client.post("/ask-why/ask/", {"clause": "OP-02-01-01/purpose", "question": ""})
    page = response.content.decode()
    assert response.status_code == 422
    assert 'aria-describedby="id_question_error"' in page and 'id="id_question_error"' in page
    assert dangling_references(page) == []


def test_asking_from_the_first_view_reaches_the_head_librarian(client, demo_library):
    page = client.get(ASK_WHY).content.decode()
    assert 'action="/ask-why/ask/"' in page
    response = client.post(
        "/ask-why/ask/", {"clause": "OP-02-01-01/purpose", "question": "Why fourteen days?"}
    )
    assert response.status_code == 200
    assert "/ask-why/answer/" in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/", "/branches/", "/policies/", "/policies/OP-02-01-01/", "/account/sign-in/"]
)
def test_public_pages_have_no_dangling_references(client, demo_library, url):
    assert dangling_references(client.get(url).content.decode()) == []


def test_a_refused_sign_in_has_no_dangling_references(client, demo_library):
    response = client.post("/account/sign-in/", {"card": "", "pin": ""})
    assert dangling_references(response.content.decode()) == []


def test_the_privacy_page_ties_each_consents_help_to_its_box(demo_library):
    client = Client()
    client.post("/account/sign-in/", {"card": AVERY, "pin": PINS[AVERY]})
    page = client.get("/account/privacy/").content.decode()
    assert "_helptext" in page
    assert dangling_references(page) == []


@pytest.mark.parametrize(
    "url", ["/staff/", "/staff/reports/", "/staff/comments/figures/", "/staff/reference/figures/"]
)
def test_staff_pages_have_no_dangling_references(staff_client, url):
    client = staff_client("head")
    assert dangling_references(client.get(url).content.decode()) == []


def test_a_refused_staff_form_has_no_dangling_references(staff_client):
    client = staff_client("head")
    page = client.get("/staff/reference/figures/", {"since": "not a date"}).content.decode()
    assert "field-error" in page
    assert dangling_references(page) == []
