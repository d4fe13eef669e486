"""Django's admin holds reference data only: no model linked to a patron is ever shown."""

from django.contrib import admin
from django.db import models

from libdesk.patrons.models import Patron

PATRON_LINKED_BY_NATURE = {"AuditEntry", "PolicyQuestion", "PolicyQuestionShare", "SignInLock"}


def links_to_a_patron(model: type[models.Model]) -> bool:
    if model is Patron:
        return True
    return any(
        getattr(field, "related_model", None) is Patron for field in model._meta.get_fields()
    )


def test_no_admin_page_shows_a_patron_linked_model():
    registered = list(admin.site._registry)
    assert registered, "the admin has reference data to show"
    for model in registered:
        assert not links_to_a_patron(model), model
        assert model.__name__ not in PATRON_LINKED_BY_NATURE, model


def test_every_patron_linked_model_is_known_to_this_test():
    from django.apps import apps

    linked = {m.__name__ for m in apps.get_models() if links_to_a_patron(m)}
    assert linked == {
        "Patron",
        "SavedList",
        "RetiredCard",
        "GuardianLink",
        "ServingContext",
        "ApiToken",
        "Loan",
        "Hold",
        "Fee",
        "PatronRequest",
        "ConsentRecord",
        "ReadingHistoryEntry",
        "CorrectionRequest",
        "CardBlock",
        "OfflineConflict",
        "NewsletterDelivery",
        "OrganizationContact",
        "Registration",
        "PatronNote",
    }
