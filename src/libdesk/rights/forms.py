from django import forms
from django.utils.translation import gettext_lazy as _

from libdesk.patrons.models import ConsentPurpose
from libdesk.rights.services import CORRECTION_MAX


class ConsentsForm(forms.Form):
    """One box per purpose: ticked is yes, unticked is no."""

    reading_history = forms.BooleanField(
        label=ConsentPurpose.READING_HISTORY.label,
        required=False,
        help_text=_(
            "Titles you return are kept for you to look back on. Saying no later deletes them."
        ),
    )
    guardian_visibility = forms.BooleanField(
        label=ConsentPurpose.GUARDIAN_VISIBILITY.label,
        required=False,
        help_text=_("Only if you have a parent or guardian linked to your account."),
    )
    newsletters = forms.BooleanField(label=ConsentPurpose.NEWSLETTERS.label, required=False)


class CorrectionForm(forms.Form):
    text = forms.CharField(
        label=_("What is wrong, and what should it be?"),
        max_length=CORRECTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CloseAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand: my account closes now, and this cannot be undone."),
        required=True,
    )
