"""The administrators' forms for self-check terminals (SIP2 logins). The rules live in
`sip2/services.py`; these only gather what an administrator typed or ticked."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from libdesk.library.models import Branch
from libdesk.sip2.models import (
    DEFAULT_MESSAGES,
    DEFAULT_PATRON_FIELDS,
    MESSAGES,
    Encoding,
    PatronField,
    Terminal,
)
from libdesk.sip2.services import TerminalSettings

MESSAGE_CHOICES = [(code, format_lazy("{} · {}", code, label)) for code, label in MESSAGES.items()]


def _password(label) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class TerminalSettingsForm(forms.Form):
    """What an administrator sets for a terminal: the same fields when adding and changing."""

    name = forms.CharField(
        label=_("Name (where it stands)"),
        max_length=100,
        required=False,
        help_text=_("For example: Main, by the door."),
    )
    institution = forms.CharField(
        label=_("Institution id (AO)"),
        max_length=40,
        help_text=_("The kiosk must send this institution id; the library's own, such as KPL."),
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=Branch.objects.order_by("name"), to_field_name="code"
    )
    encoding = forms.ChoiceField(
        label=_("Character encoding"), choices=Encoding.choices, initial=Encoding.UTF8
    )
    messages = forms.MultipleChoiceField(
        label=_("Messages the terminal may send (login and resend are always allowed)"),
        choices=MESSAGE_CHOICES,
        required=False,
        initial=DEFAULT_MESSAGES,
        widget=forms.CheckboxSelectMultiple,
    )
    patron_fields = forms.MultipleChoiceField(
        label=_("What the terminal may be told about a patron who entered their PIN"),
        choices=PatronField.choices,
        required=False,
        initial=DEFAULT_PATRON_FIELDS,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A kiosk has no use for an address, e-mail or phone number."),
    )
    error_detection = forms.BooleanField(
        label=_("Error detection (checksums and sequence numbers)"), required=False, initial=True
    )
    pin_every_time = forms.BooleanField(
        label=_("Ask for the PIN on every checkout and renewal"), required=False
    )
    pin_not_required = forms.BooleanField(
        label=_("PIN not required (staff-attended machines only)"),
        required=False,
        help_text=_(
            "Warning: anyone holding a card could then borrow on it and see what is on it. "
            "Tick this only for a machine that staff stand beside."
        ),
    )
    accepts_offline = forms.BooleanField(
        label=_("Accept offline (no block) loans and returns the machine replays"),
        required=False,
        help_text=_(
            "Only for a machine that lends while it cannot reach the library: what it replays "
            "is recorded with its own dates (within the last days set by "
            "LIBDESK_SIP2_OFFLINE_DAYS), and anything that did not fit goes to staff."
        ),
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def settings(self) -> TerminalSettings:
        data = self.cleaned_data
        return TerminalSettings(
            institution=data["institution"],
            branch=data["branch"].code,
            name=data["name"],
            encoding=data["encoding"],
            messages=list(data["messages"]),
            patron_fields=list(data["patron_fields"]),
            error_detection=data["error_detection"],
            pin_every_time=data["pin_every_time"],
            pin_not_required=data["pin_not_required"],
            accepts_offline=data["accepts_offline"],
            enabled=data["enabled"],
        )

    @classmethod
    def of(cls, terminal: Terminal) -> TerminalSettingsForm:
        """The form filled with a terminal's settings as they are."""
        return cls(
            initial={
                "name": terminal.name,
                "institution": terminal.institution,
                "branch": terminal.branch,
                "encoding": terminal.encoding,
                "messages": terminal.messages,
                "patron_fields": terminal.patron_fields,
                "error_detection": terminal.error_detection,
                "pin_every_time": terminal.pin_every_time,
                "pin_not_required": terminal.pin_not_required,
                "accepts_offline": terminal.accepts_offline,
                "enabled": terminal.enabled,
            }
        )


class NewTerminalForm(TerminalSettingsForm):
    login = forms.CharField(
        label=_("Login (CN)"),
        max_length=40,
        help_text=_("Letters, digits, dots or dashes; the kiosk logs in with it."),
    )
    password = _password(_("Password (CO)"))
    field_order = ["login", "password"]


class TerminalPasswordForm(forms.Form):
    password = _password(_("New password"))
