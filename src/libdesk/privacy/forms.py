"""The desk's and the privacy officer's forms: a parent or guardian asking about a child, a
third party asking about someone else, and the privacy officer's decision on such a request."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from libdesk.core.bounds import ID_MAX, LONG_TEXT_MAX, SHORT_TEXT_MAX
from libdesk.privacy.models import AuthorityKind, Basis, DisclosureOutcome, RequesterKind
from libdesk.privacy.services import NOTHING_PRESENTED
from libdesk.web.forms import CardNumberInput

PRESENTED = [
    (Basis.GUARDIAN_WITH_CHILD_CARD, _("The child's library card")),
    (Basis.GUARDIAN_ID_CHECKED, _("Their own identification (checked)")),
    (NOTHING_PRESENTED, _("Neither the child's card nor their own identification")),
]


def _card_field(label, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=20,
        required=required,
        widget=CardNumberInput(attrs={"autocomplete": "off"}),
    )


class GuardianForm(forms.Form):
    """A parent or guardian asks about a child. The child is the card scanned, or the patron
    found by name (`child_id`); the guardian is always found by their own card. What was
    presented is recorded as the basis; the service refuses when it is not enough."""

    basis = forms.ChoiceField(
        label=_("What the parent or guardian presented"),
        choices=PRESENTED,
    )
    child_card = _card_field(_("Child's card (scan it if presented)"))
    child_id = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=ID_MAX
    )
    guardian_card = _card_field(_("The guardian's own card"))

    def clean(self) -> dict:
        data = super().clean()
        has_child = data.get("child_card") or data.get("child_id")
        if data.get("basis") == Basis.GUARDIAN_ID_CHECKED and not has_child:
            self.add_error("child_card", _("Scan or type the child's card, or find them by name."))
        return data


class FoundChildGuardianForm(GuardianForm):
    """The same, for a child found by name at the desk: their card was not scanned."""

    basis = forms.ChoiceField(
        label=_("What the parent or guardian presented"),
        choices=PRESENTED[1:],
    )
    child_card = None


class ThirdPartyRequestForm(forms.Form):
    """Someone asks about another person. Recorded in their words, for the privacy officer."""

    key = forms.UUIDField(widget=forms.HiddenInput)
    requester_kind = forms.ChoiceField(label=_("Who is asking"), choices=RequesterKind.choices)
    requester = forms.CharField(
        label=_("Their name or organisation, as they gave it"), max_length=SHORT_TEXT_MAX
    )
    concerns = forms.CharField(
        label=_("Whom they asked about, as they named the person"), max_length=SHORT_TEXT_MAX
    )
    patron_card = _card_field(_("That person's card number, if the requester gave one"))
    asked = forms.CharField(
        label=_("What they asked for, in their words"),
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("key", uuid.uuid4())
        super().__init__(*args, **kwargs)


class DisclosureDecisionForm(forms.Form):
    """The privacy officer's decision on a request: it is added to the register for good."""

    key = forms.UUIDField(widget=forms.HiddenInput)
    requester = forms.CharField(
        label=_("Requester, as identified (name, organisation, badge or file number)"),
        max_length=SHORT_TEXT_MAX,
    )
    authority_kind = forms.ChoiceField(
        label=_("Legal authority shown"), choices=AuthorityKind.choices
    )
    authority_reference = forms.CharField(
        label=_("Its reference (court file, warrant number, date); never a scan"),
        max_length=SHORT_TEXT_MAX,
        required=False,
    )
    scope = forms.CharField(
        label=_("Scope: which information, about whom, for which period"),
        max_length=LONG_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    patron_card = _card_field(_("The patron's card number, if the request concerns one"))
    outcome = forms.ChoiceField(label=_("Decision"), choices=DisclosureOutcome.choices)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("key", uuid.uuid4())
        super().__init__(*args, **kwargs)
