"""Feedback's web forms: the comment form (anyone; a signed-in patron may sign it), and the
staff's triage forms. Each only shapes what a person typed; feedback/services.py decides, and
an InputError it raises is shown beside the field it names (`web/form_errors.py`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from libdesk.core.bounds import DATE_VALIDATORS, LONG_TEXT_MAX
from libdesk.feedback.models import RATING_MAX, RATING_MIN, Service, Theme

LANGUAGES = [("en", _("English")), ("fr", _("French"))]
RATINGS = [
    ("", _("No rating")),
    *((str(n), str(n)) for n in range(RATING_MIN, RATING_MAX + 1)),
]


class CommentForm(forms.Form):
    """The comment form. `signed_in` adds the boxes to sign it and to ask for a reply."""

    service = forms.ChoiceField(label=_("What is your comment about?"), choices=Service.choices)
    text = forms.CharField(
        label=_("Your comment"),
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    rating = forms.TypedChoiceField(
        label=_("How well did we meet your expectations? (1 poorly, 5 very well; optional)"),
        choices=RATINGS,
        coerce=int,
        empty_value=None,
        required=False,
    )
    language = forms.ChoiceField(label=_("Language of your comment"), choices=LANGUAGES)
    sign = forms.BooleanField(
        label=_("Sign it with my account (otherwise it is anonymous)"), required=False
    )
    wants_reply = forms.BooleanField(
        label=_("I would like a reply, in my account and by my account's e-mail"),
        required=False,
    )

    def __init__(self, *args, signed_in: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not signed_in:
            del self.fields["sign"]
            del self.fields["wants_reply"]


class ThemeForm(forms.Form):
    theme = forms.ChoiceField(label=_("Theme"), choices=Theme.choices)


class ClauseForm(forms.Form):
    """A clause of a policy in force, or none (untie)."""

    clause = forms.ChoiceField(label=_("Policy clause"), required=False)

    def __init__(self, *args, clauses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clause"].choices = [("", _("None")), *clauses]


class RespondForm(forms.Form):
    text = forms.CharField(
        label=_("Response"), max_length=LONG_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6})
    )
    language = forms.ChoiceField(label=_("Language of the response"), choices=LANGUAGES)


class FiguresForm(forms.Form):
    since = forms.DateField(
        label=_("Received from (optional)"),
        required=False,
        validators=DATE_VALIDATORS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=_("Received until (optional)"),
        required=False,
        validators=DATE_VALIDATORS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
