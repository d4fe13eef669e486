"""How a door's form shows what was wrong, for every app's pages: a service's InputError beside
the field it names, and the summary above the form naming each field by its label."""

from __future__ import annotations

from django import forms

from libdesk.core.errors import InputError


def add_service_error(form: forms.Form, error: InputError) -> None:
    """Show a service's InputError beside the field it names (at the top for any other). A
    service names a field by its path ("event.capacity"), and a foreign key by its column
    ("organizer_id"); the form knows the last part, and the key by its field ("organizer")."""
    field = error.field.rsplit(".", 1)[-1]
    if field not in form.fields and field.endswith("_id") and field[:-3] in form.fields:
        field = field[:-3]
    form.add_error(field if field in form.fields else None, error.message)


def errors_by_label(form: forms.Form) -> list[str]:
    """Each error with the label of the field it is about, for the summary above a form."""
    return [
        f"{form.fields[name].label}: {error}" if name in form.fields else str(error)
        for name, errors in form.errors.items()
        for error in errors
    ]
