"""Every patron-linked table is known to the export, account closure and the retention purge
(ARCHITECTURE.md): a new one that is not registered with core.patron_data fails here.

The patron-linked models are found, not listed (tests/privacy/test_doors.py): every model with
a foreign key to a patron, or to a model that has one. Tables that name a patron or one of
their rows by id rather than by foreign key are named below, since no foreign key finds them.
"""

import pytest
from django.apps import apps
from django.conf import settings

from libdesk.access.table import RESOURCES
from libdesk.core import patron_data
from tests.privacy.test_doors import patron_linked_models

# Rows that name a patron, or a patron's loan, hold or request, by id.
LINKED_BY_ID = {
    ("audit", "AuditEntry"),  # patron_id: reads and changes of the patron's record
    ("core", "SignInLock"),  # subject "patron:<id>"
    ("circulation", "NoticeSent"),  # object_id of a loan, hold or request
    ("reference", "Question"),  # patron_id: a question the patron linked to their account
    ("feedback", "Comment"),  # patron_id: a comment the patron signed
}


def every_patron_linked_model() -> set[type]:
    return patron_linked_models() | {apps.get_model(*name) for name in LINKED_BY_ID}


def test_every_patron_linked_model_is_registered():
    missing = patron_data.unregistered(every_patron_linked_model())
    assert missing == [], (
        "register these with libdesk.core.patron_data (export, closing rule, retention): "
        "docs/privacy.md, 'Adding patron-linked data'"
    )


def test_the_rule_catches_a_model_nobody_registered():
    """The rule itself can fail: a model the registry does not know is named."""
    item = apps.get_model("catalog", "Item")
    assert patron_data.unregistered({item, apps.get_model("patrons", "Patron")}) == ["catalog.Item"]


def test_the_known_tables_are_all_found():
    names = {m._meta.label for m in every_patron_linked_model()}
    assert {
        "patrons.Patron",
        "patrons.RetiredCard",
        "patrons.GuardianLink",
        "patrons.ConsentRecord",
        "circulation.Loan",
        "circulation.Hold",
        "circulation.Fee",
        "circulation.Payment",
        "circulation.Override",
        "circulation.PatronRequest",
        "circulation.ReadingHistoryEntry",
        "privacy.ServingContext",
        "api.ApiToken",
        "rights.CorrectionRequest",
        "audit.AuditEntry",
        "core.SignInLock",
        "circulation.NoticeSent",
        "patrons.CardBlock",
        "circulation.OfflineConflict",
        "patrons.PatronNote",
    } <= names


@pytest.mark.parametrize("kind", patron_data.kinds(), ids=lambda kind: kind.name)
def test_each_kind_says_what_happens_to_it(kind):
    assert kind.resource in RESOURCES
    assert str(kind.label).strip() and str(kind.closing_text).strip()
    assert str(kind.retention.text).strip()
    if kind.retention.setting:
        assert kind.retention.setting in settings.LIBDESK, kind.retention.setting
    assert kind.closing in patron_data.Closing


def test_the_record_itself_closes_last():
    assert patron_data.kinds()[-1].name == "patrons.record"


@pytest.mark.django_db
def test_every_purge_answers_how_many_rows_it_removed(demo_library):
    purges = patron_data.purges()
    assert {"circulation.holds", "circulation.fees", "api.tokens"} <= set(purges)
    for name, purge in purges.items():
        assert isinstance(purge(), int), name
