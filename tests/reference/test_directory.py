"""The consumer-information directory, curated by librarians through its pages: adding,
changing and retiring a source (a retired one leaves the list, and answers that cited it keep
its name); every field checked and named; other staff read it and change nothing."""

from html import unescape

import pytest
from django.core.cache import cache

from libdesk.audit.models import AuditEntry
from libdesk.reference.models import ConsumerSource

pytestmark = pytest.mark.django_db

NEW = {
    "name_en": "Canadian Food Inspection Agency",
    "name_fr": "Agence canadienne d'inspection des aliments",
    "topic": "health",
    "kind": "government_office",
    "url": "https://inspection.canada.ca/",
    "description_en": "Food recalls and labelling rules.",
    "description_fr": "Rappels d'aliments et règles d'étiquetage.",
    "active": "on",
}


def page(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def librarian(staff_client):
    browser = staff_client("librarian")
    cache.clear()
    return browser


def test_the_demo_directory_lists_real_sources_by_topic_in_both_languages(librarian):
    listed = page(librarian.get("/staff/reference/sources/"))
    assert "Office of Consumer Affairs" in listed and "Bureau de la consommation" in listed
    assert "https://recalls-rappels.canada.ca/en" in listed


def test_a_librarian_adds_a_source_which_the_directory_and_the_api_then_list(librarian, client):
    response = librarian.post("/staff/reference/sources/new/", NEW)
    assert response.status_code == 302
    added = ConsumerSource.objects.get(name_en=NEW["name_en"])
    assert (added.name_fr, added.topic, added.active) == (NEW["name_fr"], "health", True)
    assert NEW["name_en"] in page(librarian.get("/staff/reference/sources/"))
    api = client.get("/api/v1/reference/sources", {"topic": "health"}).json()
    assert NEW["name_en"] in [source["name"] for source in api]
    entry = AuditEntry.objects.get(action="reference.directory.save")
    assert (entry.object_type, entry.object_id, entry.actor_role) == (
        "consumer_source",
        str(added.pk),
        "librarian",
    )


def test_retiring_a_source_takes_it_off_the_list_and_it_can_come_back(librarian, client):
    source = ConsumerSource.objects.get(name_en="Consumer Reports")
    form = {**NEW, "name_en": source.name_en, "topic": source.topic, "url": source.url}
    del form["active"]
    assert librarian.post(f"/staff/reference/sources/{source.pk}/", form).status_code == 302
    listed = page(librarian.get("/staff/reference/sources/"))
    assert "Consumer Reports" in listed.split("Retired sources", 1)[1]
    api = client.get("/api/v1/reference/sources").json()
    assert "Consumer Reports" not in [s["name"] for s in api]
    back = {**form, "active": "on"}
    assert librarian.post(f"/staff/reference/sources/{source.pk}/", back).status_code == 302
    assert ConsumerSource.objects.get(pk=source.pk).active


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("url", "javascript:alert(1)", "Web address (optional)"),
        ("url", "ftp://example.org/", "Web address (optional)"),
        ("name_en", "   ", "Name in English"),
        ("name_en", "x" * 201, "Name in English"),
        ("topic", "astrology", "Topic"),
        ("kind", "shop", "Kind of source"),
        ("description_fr", "y" * 2001, "What it offers, in French (optional)"),
    ],
)
def test_a_wrong_field_is_named_and_nothing_is_saved(librarian, field, value, label):
    before = ConsumerSource.objects.count()
    response = librarian.post("/staff/reference/sources/new/", {**NEW, field: value})
    assert response.status_code == 422
    assert f"{label}:" in page(response)
    assert ConsumerSource.objects.count() == before
    assert not AuditEntry.objects.filter(action="reference.directory.save").exists()


def test_an_unknown_source_is_not_found(librarian):
    assert librarian.get("/staff/reference/sources/999999/").status_code == 404


@pytest.mark.parametrize("username", ["clerk", "privacy", "admin"])
def test_other_staff_read_the_directory_and_change_nothing(staff_client, username):
    browser = staff_client(username)
    listed = browser.get("/staff/reference/sources/")
    if username == "privacy":
        assert listed.status_code == 403
    else:
        assert listed.status_code == 200
        assert "Add a source" not in page(listed)
    source = ConsumerSource.objects.first()
    assert browser.post("/staff/reference/sources/new/", NEW).status_code == 403
    assert browser.get(f"/staff/reference/sources/{source.pk}/").status_code == 403
    assert not ConsumerSource.objects.filter(name_en=NEW["name_en"]).exists()
