"""The patron's saved lists on the web: make, fill from the results or the record page, rename,
empty and delete. Thin doors over catalog.saved_lists."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from libdesk.access.purposes import Access
from libdesk.catalog import saved_lists
from libdesk.catalog.models import MaterialType
from libdesk.core.bounds import ID_MAX
from libdesk.web.patron_session import signed_in_patron_id


class ListNameForm(forms.Form):
    name = forms.CharField(max_length=saved_lists.NAME_MAX, label=gettext_lazy("Name of the list"))


class AddForm(forms.Form):
    """A record to put on a list: one of the patron's lists, or a new one named here."""

    record_id = forms.IntegerField(min_value=1, max_value=ID_MAX)
    list_id = forms.IntegerField(min_value=1, max_value=ID_MAX, required=False)
    name = forms.CharField(max_length=saved_lists.NAME_MAX, required=False)


def _access(request: HttpRequest) -> Access | None:
    patron_id = signed_in_patron_id(request)
    return Access.own(patron_id) if patron_id is not None else None


@never_cache
def lists(request: HttpRequest) -> HttpResponse:
    """The patron's lists, and a form to start one."""
    access = _access(request)
    if access is None:
        return redirect("web:patron-sign-in")
    return _lists_page(request, access, ListNameForm())


def _lists_page(request, access: Access, form: ListNameForm, status: int = 200) -> HttpResponse:
    context = {"lists": saved_lists.lists_of(access), "form": form}
    return render(request, "catalog/saved_lists.html", context, status=status)


@require_POST
def new_list(request: HttpRequest) -> HttpResponse:
    access = _access(request)
    if access is None:
        return redirect("web:patron-sign-in")
    form = ListNameForm(request.POST)
    if form.is_valid():
        try:
            made = saved_lists.create_list(access, form.cleaned_data["name"])
        except saved_lists.ListError as error:
            form.add_error("name", error.message)
        else:
            messages.success(request, _("List “%(name)s” made.") % {"name": made.name})
            return redirect("catalog:saved-list", list_id=made.pk)
    return _lists_page(request, access, form, status=422)


@never_cache
def saved_list(request: HttpRequest, list_id: int) -> HttpResponse:
    access = _access(request)
    if access is None:
        return redirect("web:patron-sign-in")
    found = saved_lists.list_of(access, list_id)
    return _list_page(request, found, ListNameForm(initial={"name": found.name}))


def _list_page(request, found, form: ListNameForm, status: int = 200) -> HttpResponse:
    context = {
        "saved": found,
        "entries": saved_lists.entries_of(found),
        "form": form,
        "material_labels": dict(MaterialType.choices),
    }
    return render(request, "catalog/saved_list.html", context, status=status)


@require_POST
def list_act(request: HttpRequest, list_id: int, action: str) -> HttpResponse:
    """rename (name), remove (record_id) or delete."""
    access = _access(request)
    if access is None:
        return redirect("web:patron-sign-in")
    if action == "rename":
        form = ListNameForm(request.POST)
        found = saved_lists.list_of(access, list_id)
        if form.is_valid():
            try:
                saved_lists.rename_list(access, list_id, form.cleaned_data["name"])
            except saved_lists.ListError as error:
                form.add_error("name", error.message)
            else:
                messages.success(request, _("List renamed."))
                return redirect("catalog:saved-list", list_id=list_id)
        return _list_page(request, found, form, status=422)
    if action == "remove":
        record_id = forms.IntegerField(min_value=1, max_value=ID_MAX, required=False).clean(
            request.POST.get("record_id") or None
        )
        if record_id is None:
            raise Http404
        saved_lists.remove_record(access, list_id, record_id)
        messages.success(request, _("Removed from the list."))
        return redirect("catalog:saved-list", list_id=list_id)
    if action == "delete":
        found = saved_lists.list_of(access, list_id)
        saved_lists.delete_list(access, list_id)
        messages.success(request, _("List “%(name)s” deleted.") % {"name": found.name})
        return redirect("catalog:lists")
    raise Http404


@require_POST
def add_to_list(request: HttpRequest) -> HttpResponse:
    """From a result or the record page: onto one of the patron's lists, or a new one. Back
    to the page it came from."""
    access = _access(request)
    if access is None:
        return redirect("web:patron-sign-in")
    form = AddForm(request.POST)
    if not form.is_valid():
        raise Http404
    data = form.cleaned_data
    try:
        if data["list_id"]:
            target = saved_lists.list_of(access, data["list_id"])
        else:
            target = saved_lists.list_named(access, data["name"] or _("My list"))
        added = saved_lists.add_record(access, target.pk, data["record_id"])
    except saved_lists.ListError as error:
        messages.error(request, error.message)
    else:
        text = _("Added to “%(name)s”.") if added else _("Already on “%(name)s”.")
        messages.success(request, text % {"name": target.name})
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("catalog:record", record_id=data["record_id"])
