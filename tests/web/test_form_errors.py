"""A service's InputError is shown beside the field it names, whatever app's form it is: by
its path's last part ("event.capacity"), or a foreign key's column ("organizer_id") by its
field ("organizer"); anything else at the top of the form."""

from django import forms

from libdesk.core.errors import InputError
from libdesk.web.form_errors import add_service_error, errors_by_label


class EventForm(forms.Form):
    organizer = forms.CharField(label="Organizer")
    capacity = forms.IntegerField(label="Places")


def test_a_services_error_lands_beside_the_field_it_names():
    form = EventForm({"organizer": "x", "capacity": "3"})
    assert form.is_valid()
    add_service_error(form, InputError("organizer_id", "Not someone who can organize events."))
    add_service_error(form, InputError("event.capacity", "More than the room holds."))
    add_service_error(form, InputError("starts", "The branch is closed then."))
    assert form.errors["organizer"] == ["Not someone who can organize events."]
    assert form.errors["capacity"] == ["More than the room holds."]
    assert form.non_field_errors() == ["The branch is closed then."]
    assert errors_by_label(form)[:2] == [
        "Organizer: Not someone who can organize events.",
        "Places: More than the room holds.",
    ]
