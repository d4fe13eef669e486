"""The programs' web forms: browsing the calendar, registering without an account, and the
staff's event form. Each only shapes what a person typed; programs/services.py decides, and
an InputError it raises is shown beside the field it names (`web/form_errors.py`)."""

from datetime import datetime, time, timedelta

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from libdesk.access.table import ORGANIZER_ROLES
from libdesk.accounts.models import StaffUser
from libdesk.core import clock
from libdesk.core.bounds import DATE_VALIDATORS, LONG_TEXT_MAX, SHORT_TEXT_MAX
from libdesk.library.models import Branch
from libdesk.programs.models import CAPACITY_MAX, Audience, Event, Frequency
from libdesk.programs.services import OCCURRENCES_MAX, EventDetails

WINDOW_DAYS = 31  # the calendar shows a month from the chosen day


def _sane_moment(value: datetime) -> None:
    for validator in DATE_VALIDATORS:
        validator(value.date())


def _branches() -> list[tuple[str, str]]:
    return [(b.code, b.name) for b in Branch.objects.order_by("code")]


class CalendarForm(forms.Form):
    """Browse by date, branch and audience (GET; every field optional)."""

    start = forms.DateField(
        label=_("From"),
        required=False,
        validators=DATE_VALIDATORS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    branch = forms.ChoiceField(label=_("Branch"), required=False)
    audience = forms.ChoiceField(
        label=_("For"), required=False, choices=[("", _("Everyone")), *Audience.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = [("", _("All branches")), *_branches()]

    def window(self) -> tuple[datetime, datetime | None]:
        day = self.cleaned_data.get("start") if self.is_valid() else None
        if day is None:
            return clock.now(), None
        start = datetime.combine(day, time.min, tzinfo=clock.library_zone())
        return max(start, clock.now()), start + timedelta(days=WINDOW_DAYS)


class RegisterForm(forms.Form):
    """Registering without an account: a name and one way to reach you, never a card."""

    name = forms.CharField(label=_("Your name"), max_length=SHORT_TEXT_MAX)
    contact = forms.CharField(
        label=_("An e-mail address or a phone number, to tell you if anything changes"),
        max_length=SHORT_TEXT_MAX,
    )


def _organizers():
    return StaffUser.objects.filter(is_active=True, role__in=ORGANIZER_ROLES).order_by("username")


class EventForm(forms.Form):
    """An event, or the first of a series (with `repeat` and `occurrences`)."""

    title_en = forms.CharField(label=_("Title (English)"), max_length=SHORT_TEXT_MAX)
    title_fr = forms.CharField(label=_("Title (French)"), max_length=SHORT_TEXT_MAX, required=False)
    description_en = forms.CharField(
        label=_("Description (English)"),
        max_length=LONG_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    description_fr = forms.CharField(
        label=_("Description (French)"),
        max_length=LONG_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    branch = forms.ChoiceField(label=_("Branch"))
    room = forms.CharField(label=_("Room"), max_length=100, required=False)
    organizer = forms.ModelChoiceField(label=_("Organizer"), queryset=StaffUser.objects.none())
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        validators=[_sane_moment],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        validators=[_sane_moment],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    registration_required = forms.BooleanField(label=_("Registration required"), required=False)
    capacity = forms.IntegerField(
        label=_("Places"),
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(CAPACITY_MAX)],
    )
    accessibility_en = forms.CharField(
        label=_("Accessibility (English)"),
        max_length=LONG_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    accessibility_fr = forms.CharField(
        label=_("Accessibility (French)"),
        max_length=LONG_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = _branches()
        self.fields["organizer"].queryset = _organizers()

    def details(self) -> EventDetails:
        data = self.cleaned_data
        return EventDetails(
            title_en=data["title_en"],
            title_fr=data["title_fr"],
            description_en=data["description_en"],
            description_fr=data["description_fr"],
            audience=data["audience"],
            branch=data["branch"],
            room=data["room"],
            organizer_id=data["organizer"].pk,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            registration_required=data["registration_required"],
            capacity=data["capacity"],
            accessibility_en=data["accessibility_en"],
            accessibility_fr=data["accessibility_fr"],
        )

    @staticmethod
    def initial_for(event: Event) -> dict:
        zone = clock.library_zone()
        return {
            **{
                name: getattr(event, name)
                for name in (
                    "title_en", "title_fr", "description_en", "description_fr", "audience",
                    "room", "registration_required", "capacity", "accessibility_en",
                    "accessibility_fr",
                )
            },
            "branch": event.branch.code,
            "organizer": event.organizer_id,
            "starts_at": event.starts_at.astimezone(zone),
            "ends_at": event.ends_at.astimezone(zone),
        }  # fmt: skip


class NewEventForm(EventForm):
    repeat = forms.ChoiceField(
        label=_("Repeat"),
        required=False,
        choices=[("", _("Once")), *Frequency.choices],
    )
    occurrences = forms.IntegerField(
        label=_("How many times (a series)"),
        required=False,
        validators=[MinValueValidator(2), MaxValueValidator(OCCURRENCES_MAX)],
    )

    def clean(self):
        data = super().clean()
        if data.get("repeat") and not data.get("occurrences"):
            self.add_error("occurrences", _("How many times should it repeat?"))
        return data
