from django import forms
from django.utils.translation import gettext_lazy as _

from libdesk.library.models import Branch
from libdesk.patrons.models import Category, Language
from libdesk.privacy.models import Basis
from libdesk.web.forms import CardNumberInput


def _card_field(label):
    return forms.CharField(
        label=label, max_length=20, widget=CardNumberInput(attrs={"autocomplete": "off"})
    )


class ScanCardForm(forms.Form):
    """The desk's first box: focused when the page opens, so the card can be scanned."""

    card = forms.CharField(
        label=_("Patron's card"),
        max_length=20,
        widget=CardNumberInput(attrs={"autocomplete": "off", "autofocus": True}),
    )


class FindByNameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)


class IdentityCheckForm(forms.Form):
    """Opening an account found by name: say how identity was checked."""

    patron_id = forms.IntegerField(widget=forms.HiddenInput)
    basis = forms.ChoiceField(
        label=_("How identity was checked"),
        choices=[
            (Basis.ID_CHECKED, Basis.ID_CHECKED.label),
            (Basis.VERIFICATION_QUESTIONS, Basis.VERIFICATION_QUESTIONS.label),
        ],
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=200, required=False)


class GuardianForm(forms.Form):
    child_card = _card_field(_("Child's card"))
    guardian_card = _card_field(_("Guardian's card"))
    basis = forms.ChoiceField(
        label=_("What was presented"),
        choices=[
            (Basis.GUARDIAN_WITH_CHILD_CARD, Basis.GUARDIAN_WITH_CHILD_CARD.label),
            (Basis.GUARDIAN_ID_CHECKED, Basis.GUARDIAN_ID_CHECKED.label),
        ],
    )


class ContactForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    postal_address = forms.CharField(
        label=_("Postal address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    language = forms.ChoiceField(label=_("Preferred language"), choices=Language.choices)


class PatronForm(ContactForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    home_branch = forms.ModelChoiceField(
        label=_("Home branch"),
        queryset=Branch.objects.all(),
        to_field_name="code",
        empty_label=None,
    )
    field_order = [
        "name",
        "category",
        "home_branch",
        "email",
        "phone",
        "postal_address",
        "language",
    ]


class RegisterForm(PatronForm):
    card_number = forms.CharField(label=_("Card number"), max_length=20)
    card_expires = forms.DateField(
        label=_("Card valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    birth_date = forms.DateField(
        label=_("Birth date (children only; seen, not stored)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    pin = forms.CharField(
        label=_("PIN (optional)"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    field_order = [
        "name",
        "card_number",
        "card_expires",
        "category",
        "birth_date",
        "home_branch",
        "email",
        "phone",
        "postal_address",
        "language",
        "pin",
    ]


class RenewForm(forms.Form):
    card_expires = forms.DateField(
        label=_("New expiry date"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ReplaceCardForm(forms.Form):
    card_number = forms.CharField(label=_("New card number"), max_length=20)


class PinResetForm(forms.Form):
    pin = forms.CharField(
        label=_("New PIN"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class LinkGuardianForm(forms.Form):
    guardian_card = _card_field(_("Guardian's card"))


class LiftCardBlockForm(forms.Form):
    """Lifting a kiosk's block is confirmed: the machine may have kept a card someone else was
    using, so staff check who is at the desk first."""

    identity_checked = forms.BooleanField(
        label=_("I checked that the person at the desk is the card's holder"),
        error_messages={
            "required": _("Check the patron's identity, then tick the box to lift the block.")
        },
    )


class ChangePinForm(forms.Form):
    current_pin = forms.CharField(
        label=_("Current PIN"),
        max_length=32,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_pin = forms.CharField(
        label=_("New PIN"),
        max_length=32,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class NoteForm(forms.Form):
    """A note on the account for whoever serves the patron next (patrons.notes checks it)."""

    text = forms.CharField(
        label=_("Note for the next visit"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
    )


class NoticePreferencesForm(forms.Form):
    """How the patron wants each kind of notice, offered only the ways their contact details
    allow (patrons.services.notice_channels)."""

    hold_ready = forms.ChoiceField(label=_("A hold is ready, or its last day is near"))
    overdue = forms.ChoiceField(label=_("An item is due soon or overdue"))
    events = forms.ChoiceField(label=_("A place opens for you at an event, or it is cancelled"))

    def __init__(self, *args, patron, **kwargs) -> None:
        from libdesk.patrons.models import NoticeChannel
        from libdesk.patrons.services import notice_channels

        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.choices = [(c, NoticeChannel(c).label) for c in notice_channels(patron, name)]
            field.widget = forms.RadioSelect(choices=field.choices)
