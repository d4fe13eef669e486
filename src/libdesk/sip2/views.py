"""The administrators' pages for self-check terminals: the list, adding one, changing its
settings and setting a new password. The services check the access table and audit."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from libdesk.access.table import Role
from libdesk.accounts.decorators import staff_required
from libdesk.sip2 import selectors, services
from libdesk.sip2.forms import NewTerminalForm, TerminalPasswordForm, TerminalSettingsForm
from libdesk.sip2.models import Terminal

ADMINISTRATORS = [Role.ADMINISTRATOR]


def _field_error(form: forms.Form, error: services.TerminalError) -> None:
    """The service's complaint beside the field it names (or above the form)."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _terminal_or_404(request: HttpRequest, terminal_id: int) -> Terminal:
    terminal = selectors.terminal(request.user, terminal_id)
    if terminal is None:
        raise Http404("no such terminal")
    return terminal


@staff_required(roles=ADMINISTRATORS)
def terminals(request: HttpRequest) -> HttpResponse:
    return render(request, "sip2/terminals.html", {"terminals": selectors.terminals(request.user)})


@staff_required(roles=ADMINISTRATORS)
def new_terminal(request: HttpRequest) -> HttpResponse:
    form = NewTerminalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            terminal = services.create_terminal(
                request.user, request.workstation, data["login"], data["password"], form.settings()
            )
        except services.TerminalError as error:
            _field_error(form, error)
        else:
            messages.success(request, _("Terminal %s added.") % terminal.login)
            return redirect("sip2:terminals")
    return render(
        request, "sip2/terminal_new.html", {"form": form}, status=422 if form.errors else 200
    )


@staff_required(roles=ADMINISTRATORS)
def edit_terminal(request: HttpRequest, terminal_id: int) -> HttpResponse:
    terminal = _terminal_or_404(request, terminal_id)
    if request.method == "POST":
        form = TerminalSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.change_terminal(
                    request.user, request.workstation, terminal, form.settings()
                )
            except services.TerminalError as error:
                _field_error(form, error)
            else:
                messages.success(
                    request,
                    _("Terminal %s changed; its connections follow from their next message.")
                    % terminal.login,
                )
                return redirect("sip2:terminals")
    else:
        form = TerminalSettingsForm.of(terminal)
    return _edit_page(request, terminal, form, TerminalPasswordForm())


@staff_required(roles=ADMINISTRATORS)
@require_POST
def terminal_password(request: HttpRequest, terminal_id: int) -> HttpResponse:
    terminal = _terminal_or_404(request, terminal_id)
    form = TerminalPasswordForm(request.POST)
    if form.is_valid():
        try:
            services.set_terminal_password(
                request.user, request.workstation, terminal, form.cleaned_data["password"]
            )
        except services.TerminalError as error:
            _field_error(form, error)
        else:
            messages.success(
                request, _("New password set for %s; enter it on the kiosk.") % terminal.login
            )
            return redirect("sip2:edit-terminal", terminal_id=terminal.pk)
    return _edit_page(request, terminal, TerminalSettingsForm.of(terminal), form)


def _edit_page(request, terminal: Terminal, form, password_form) -> HttpResponse:
    return render(
        request,
        "sip2/terminal_edit.html",
        {"terminal": terminal, "form": form, "password_form": password_form},
        status=422 if form.errors or password_form.errors else 200,
    )
