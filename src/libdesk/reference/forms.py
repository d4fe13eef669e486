"""The reference desk's web forms: asking (anyone, or the desk for a question asked in person,
by phone or by e-mail), sharing with another librarian, answering with sources, closing.

Each form only shapes what a person typed; reference/services.py decides, and an InputError it
raises is shown beside the field it names (`web/form_errors.py`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from libdesk.access.table import REFERENCE_ROLES
from libdesk.accounts.models import StaffUser
from libdesk.core.bounds import DATE_VALIDATORS, LONG_TEXT_MAX, SHORT_TEXT_MAX
from libdesk.reference.models import (
    Channel,
    ConsumerSource,
    ConsumerSourceKind,
    SendAnywayReason,
    ShareReason,
    Topic,
)
from libdesk.reference.services import SourceIn

LANGUAGES = [("en", _("English")), ("fr", _("French"))]
EFFORT = [
    (1, _("1: a quick fact, no research")),
    (2, _("2: a short search in one source")),
    (3, _("3: several sources, some time")),
    (4, _("4: research across sources, an hour or more")),
    (5, _("5: extended research, several hours")),
    (6, _("6: days of research, or a specialist's help")),
]


class _QuestionFields(forms.Form):
    text = forms.CharField(
        label=_("Your question"),
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    topic = forms.ChoiceField(label=_("What is it about?"), choices=Topic.choices)
    language = forms.ChoiceField(label=_("Answer in"), choices=LANGUAGES)
    contact_email = forms.EmailField(
        label=_("Your e-mail, only if you want the answer sent to you (optional)"),
        required=False,
        max_length=254,
    )
    contact_phone = forms.CharField(
        label=_("Your phone number, only if you want a librarian to call you back (optional)"),
        required=False,
        max_length=40,
    )


class AskForm(_QuestionFields):
    """The public form. `signed_in` adds the box that links the question to the account."""

    link_to_account = forms.BooleanField(
        label=_("Link this question to my account (it then shows under “Your questions”)"),
        required=False,
    )

    def __init__(self, *args, signed_in: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not signed_in:
            del self.fields["link_to_account"]


class StaffEntryForm(_QuestionFields):
    """A question asked at the desk, by phone or by e-mail, entered by staff."""

    channel = forms.ChoiceField(
        label=_("How it was asked"),
        choices=[(c.value, c.label) for c in Channel if c != Channel.WEB],
    )
    field_order = ["channel", "text", "topic", "language", "contact_email", "contact_phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = _("The question, in the asker's words")
        self.fields["contact_email"].label = _("The asker's e-mail, if they want a reply by e-mail")
        self.fields["contact_phone"].label = _("The asker's phone, if they want a call back")


class ShareForm(forms.Form):
    """Consult another librarian (they may read it to help) or transfer it to them."""

    librarian = forms.ModelChoiceField(
        label=_("Librarian"), queryset=StaffUser.objects.none(), empty_label=None
    )
    reason = forms.ChoiceField(label=_("Why"), choices=ShareReason.choices)

    def __init__(self, *args, me: StaffUser | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        colleagues = StaffUser.objects.filter(role__in=REFERENCE_ROLES, is_active=True)
        if me is not None:
            colleagues = colleagues.exclude(pk=me.pk)
        self.fields["librarian"].queryset = colleagues.order_by("username")
        self.fields["librarian"].label_from_instance = lambda staff: (
            staff.get_full_name() or staff.username
        )


class AnswerForm(forms.Form):
    """The answer and its sources: a catalogue record, a web address, a directory source, an
    organisation or publication named in words (any, all, or none: the check warns)."""

    text = forms.CharField(
        label=_("Answer"), max_length=LONG_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 8})
    )
    language = forms.ChoiceField(label=_("Language of the answer"), choices=LANGUAGES)
    record_id = forms.IntegerField(
        label=_("Catalogue record number (optional; find it in the catalogue)"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
    )
    url = forms.URLField(
        label=_("Web address of a source (optional)"),
        required=False,
        max_length=500,
        assume_scheme="https",
    )
    url_label = forms.CharField(
        label=_("Title of that web page (optional)"), required=False, max_length=SHORT_TEXT_MAX
    )
    directory = forms.ModelChoiceField(
        label=_("Consumer-information source from the directory (optional)"),
        queryset=ConsumerSource.objects.none(),
        required=False,
    )
    named = forms.CharField(
        label=_("Organisation or publication named as a source (optional)"),
        required=False,
        max_length=SHORT_TEXT_MAX,
    )
    send_anyway_reason = forms.ChoiceField(
        label=_("Send it anyway, because"),
        choices=[("", _("Do not send it: I will rewrite it")), *SendAnywayReason.choices],
        required=False,
    )
    effort = forms.TypedChoiceField(
        label=_("Effort so far, on the READ scale (optional)"),
        choices=[("", "—"), *EFFORT],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, directory=None, **kwargs):
        super().__init__(*args, **kwargs)
        if directory is not None:
            self.fields["directory"].queryset = directory

    def sources(self) -> list[SourceIn]:
        data = self.cleaned_data
        found = []
        if data.get("record_id"):
            found.append(SourceIn("catalogue", record_id=data["record_id"]))
        if data.get("url"):
            found.append(SourceIn("web", label=data.get("url_label", ""), url=data["url"]))
        if data.get("directory"):
            found.append(SourceIn("directory", directory_id=data["directory"].pk))
        if data.get("named"):
            found.append(SourceIn("named", label=data["named"]))
        return found


class CloseForm(forms.Form):
    effort = forms.TypedChoiceField(
        label=_("Effort it took, on the READ scale"), choices=EFFORT, coerce=int
    )


class FiguresForm(forms.Form):
    since = forms.DateField(
        label=_("Asked from (optional)"),
        required=False,
        validators=DATE_VALIDATORS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=_("Asked until (optional)"),
        required=False,
        validators=DATE_VALIDATORS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class DirectorySourceForm(forms.Form):
    """A source of consumer information, in English and French (reference/directory.py)."""

    name_en = forms.CharField(label=_("Name in English"), max_length=200)
    name_fr = forms.CharField(label=_("Name in French (optional)"), max_length=200, required=False)
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    kind = forms.ChoiceField(label=_("Kind of source"), choices=ConsumerSourceKind.choices)
    url = forms.CharField(label=_("Web address (optional)"), max_length=500, required=False)
    description_en = forms.CharField(
        label=_("What it offers, in English (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    description_fr = forms.CharField(
        label=_("What it offers, in French (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    active = forms.BooleanField(
        label=_("Listed (untick to retire it: answers that cited it keep its name)"),
        required=False,
        initial=True,
    )
