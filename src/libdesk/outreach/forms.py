"""Outreach's web forms: the news, a newsletter issue, the new-arrivals filter, and an
organization's contact person. They only shape what was typed; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from libdesk.catalog.models import MaterialType
from libdesk.core.bounds import LONG_TEXT_MAX, SHORT_TEXT_MAX
from libdesk.outreach.sections import sections


class AnnouncementForm(forms.Form):
    title_en = forms.CharField(label=_("Title (English)"), max_length=SHORT_TEXT_MAX)
    body_en = forms.CharField(
        label=_("Text (English)"), max_length=LONG_TEXT_MAX, widget=forms.Textarea({"rows": 5})
    )
    title_fr = forms.CharField(label=_("Title (French)"), max_length=SHORT_TEXT_MAX)
    body_fr = forms.CharField(
        label=_("Text (French)"), max_length=LONG_TEXT_MAX, widget=forms.Textarea({"rows": 5})
    )


def _format_choices(blank_label):
    return [("", blank_label), *MaterialType.choices]


class IssueForm(forms.Form):
    title_en = forms.CharField(label=_("Title (English)"), max_length=SHORT_TEXT_MAX)
    title_fr = forms.CharField(label=_("Title (French)"), max_length=SHORT_TEXT_MAX)
    sections = forms.MultipleChoiceField(
        label=_("Sections"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    subject = forms.CharField(
        label=_("New arrivals under this subject only (optional)"),
        max_length=SHORT_TEXT_MAX,
        required=False,
    )
    material_type = forms.ChoiceField(
        label=_("New arrivals of this format only (optional)"),
        choices=(),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sections"].choices = [(s.key, s.label) for s in sections()]
        self.fields["material_type"].choices = _format_choices(_("Every format"))


class ArrivalsFilterForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=SHORT_TEXT_MAX, required=False)
    format = forms.ChoiceField(label=_("Format"), choices=(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = _format_choices(_("Every format"))


class OrganizationContactForm(forms.Form):
    name = forms.CharField(label=_("Contact person"), max_length=SHORT_TEXT_MAX)
    role = forms.CharField(
        label=_("Their role (for instance: teacher, activities coordinator)"),
        max_length=SHORT_TEXT_MAX,
        required=False,
    )
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    newsletter = forms.BooleanField(
        label=_("Send the library's newsletter to this contact person"), required=False
    )
