from django import forms
from django.utils.translation import gettext_lazy as _

from libdesk.accounts.models import StaffUser
from libdesk.core.bounds import CODE_MAX, LONG_TEXT_MAX


class AskWhyForm(forms.Form):
    clause = forms.CharField(widget=forms.HiddenInput, max_length=CODE_MAX * 3)
    question = forms.CharField(
        label=_("Your question"),
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    contact_email = forms.EmailField(
        label=_("Your e-mail (optional: without it you get a private link to come back to)"),
        required=False,
        max_length=254,
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), max_length=LONG_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6})
    )


class ShareForm(forms.Form):
    librarian = forms.ModelChoiceField(
        label=_("Share with librarian"), queryset=StaffUser.objects.none(), to_field_name="username"
    )

    def __init__(self, *args, librarians=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["librarian"].queryset = (
            librarians if librarians is not None else StaffUser.objects.none()
        )
