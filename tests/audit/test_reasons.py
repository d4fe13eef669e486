"""Audit entries carry codes only: `record` refuses a reason that is not a registered code or
of a registered form, and a kind of data without words for the patron; the registered lists
are the apps' own choices, and no registered form lets free text through."""

import pytest
from django.utils import translation

from libdesk.access.table import STAFF_ROLES
from libdesk.audit import data_kinds, reasons, services
from libdesk.audit.actors import Actor
from libdesk.audit.models import AuditEntry
from libdesk.catalog.models import ItemStatus
from libdesk.circulation.disclosure import RevealReason
from libdesk.circulation.models import OverrideKind, OverrideReason, RequestKind, RequestStatus
from libdesk.core.lockout import CHANNELS
from libdesk.patrons.models import ConsentPurpose
from libdesk.privacy.models import Basis, DisclosureOutcome, RequesterKind
from libdesk.privacy.selectors import GUARDIAN_SIGN_IN

FREE_TEXT = [
    "Avery Lindqvist",
    "damage claim",
    "Mrs Smith's claim about the atlas",
    "ruined",
    "item 12 wet",
    "loan 5 Avery",
    "2025-01-01 Avery",
    "R20250101-ABCDEF x",
    "staff:3 because",
    "online,kiosk,Avery",
    "checkout_block circumstances: she is ill",
    "1 new, 2 updated by Avery",
    "#063-2019 at Avery's request",
    "0123456789abcdef0",
    "29000000000001",
]


@pytest.mark.parametrize(
    ("kind", "source"),
    [
        ("serving basis", Basis.values),
        ("guardian online basis", [GUARDIAN_SIGN_IN]),
        ("requester kind", RequesterKind.values),
        ("disclosure outcome", DisclosureOutcome.values),
        ("staff role", [role.value for role in STAFF_ROLES]),
        ("item status", ItemStatus.values),
        ("request kind", RequestKind.values),
        ("request status", RequestStatus.values),
        ("consent purpose", ConsentPurpose.values),
        ("borrower reveal", RevealReason.values),
    ],
)
def test_each_list_of_codes_is_the_apps_own_choices(kind, source):
    assert reasons.kinds()[kind].codes == frozenset(source)


def test_the_forms_follow_the_apps_choices():
    forms = reasons.kinds()
    for kind in OverrideKind.values:
        for reason in OverrideReason.values:
            assert forms["override"].admits(f"{kind} {reason}")
    for channel in CHANNELS:
        assert forms["sign-in channels"].admits(channel)
    assert forms["sign-in channels"].admits(",".join(CHANNELS))


@pytest.mark.parametrize("text", FREE_TEXT)
def test_no_registered_code_or_form_lets_free_text_through(text):
    assert [k.name for k in reasons.kinds().values() if k.admits(text)] == []


@pytest.mark.django_db
@pytest.mark.parametrize("text", FREE_TEXT)
def test_record_refuses_free_text_and_writes_nothing(text):
    with pytest.raises(reasons.UnregisteredReason, match="not a registered code"):
        services.record(Actor.system(), "test.event", reason=text)
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "reason", ["", "card_presented", "item 42", "loan 7", "waive_fee first_time", "damage_claim"]
)
def test_record_takes_registered_codes_and_references(reason):
    entry = services.record(Actor.system(), "test.event", reason=reason)
    assert AuditEntry.objects.get(pk=entry.pk).reason == reason


@pytest.mark.django_db
def test_record_refuses_a_kind_of_data_with_no_words_for_the_patron():
    with pytest.raises(data_kinds.UnregisteredDataKind, match="'loans of 29000000000001'"):
        services.record(
            Actor.system(), "patron.read", patron_id=1, data_kind="loans of 29000000000001"
        )
    assert not AuditEntry.objects.exists()


def test_every_kind_of_data_has_words_in_both_languages():
    for kind in data_kinds.registered():
        with translation.override("en"):
            english = str(kind.label)
        with translation.override("fr"):
            french = str(kind.label)
        assert english != kind.code and french != english, kind.code
