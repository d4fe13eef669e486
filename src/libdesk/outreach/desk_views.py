"""Outreach's staff doors: librarians write the news and compose, preview and send the
newsletter; the desk records an organization's contact person in the serving context."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from libdesk.access.table import DESK_ROLES, OUTREACH_ROLES
from libdesk.accounts.decorators import staff_required
from libdesk.core.decisions import Refused
from libdesk.core.errors import InputError
from libdesk.outreach import mailing, selectors, services
from libdesk.outreach.forms import (
    AnnouncementForm,
    IssueForm,
    OrganizationContactForm,
)
from libdesk.patrons.selectors import consents, patron_profile
from libdesk.patrons.serving_page import context_or_404
from libdesk.privacy.services import serving_access
from libdesk.web.decorators import render_refusal
from libdesk.web.form_errors import add_service_error


@staff_required(roles=OUTREACH_ROLES)
def announcements(request: HttpRequest) -> HttpResponse:
    """The news published so far, and the form that publishes more (both languages)."""
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.publish_announcement(request.user, request.workstation, **form.cleaned_data)
        except InputError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Published: it is on the news page now."))
            return redirect("outreach:announcements")
    status = 422 if form.is_bound else 200
    context = {"form": form, "items": selectors.published_announcements()}
    return render(request, "outreach/announcements.html", context, status=status)


@staff_required(roles=OUTREACH_ROLES)
def newsletters(request: HttpRequest) -> HttpResponse:
    """The issues so far, and composing a new one from its sections."""
    form = IssueForm(request.POST or None, initial={"sections": ["news", "new_arrivals"]})
    if request.method == "POST" and form.is_valid():
        try:
            issue = services.compose_issue(request.user, request.workstation, **form.cleaned_data)
        except InputError as error:
            add_service_error(form, error)
        else:
            return redirect("outreach:newsletter", issue_id=issue.pk)
    status = 422 if form.is_bound else 200
    context = {"form": form, "issues": selectors.recent_issues()}
    return render(request, "outreach/newsletters.html", context, status=status)


@staff_required(roles=OUTREACH_ROLES)
def newsletter(request: HttpRequest, issue_id: int) -> HttpResponse:
    """One issue as each language's readers get it (a draft: as it would be sent now)."""
    issue = selectors.issue(issue_id)
    if issue is None:
        raise Http404("no such issue")
    previews = [
        {
            "language": language,
            "title": issue.title(language),
            "sections": mailing.issue_contents(issue, language),
        }
        for language in mailing.LANGUAGES
    ]
    return render(request, "outreach/newsletter.html", {"issue": issue, "previews": previews})


@staff_required(roles=OUTREACH_ROLES)
@require_POST
def send(request: HttpRequest, issue_id: int) -> HttpResponse:
    """Send a draft to everyone who asked for the newsletter (in the background)."""
    try:
        services.send_issue(
            request.user, request.workstation, issue_id, request.build_absolute_uri("/")
        )
    except Refused as refused:
        return render_refusal(request, refused)
    except InputError as error:
        raise Http404(error.message) from error
    messages.success(request, _("Sending: each person who asked for it gets it once."))
    return redirect("outreach:newsletter", issue_id=issue_id)


@staff_required(roles=DESK_ROLES)
def organization_contact(request: HttpRequest, context_id) -> HttpResponse:
    """An organization's contact person, and whether it gets the newsletter."""
    context = context_or_404(request, context_id)
    access = serving_access(context)
    patron = patron_profile(access)
    if not selectors.is_organization(patron) or context.guardian_id:
        raise Http404("not an organization")
    contact = selectors.organization_contact(access)
    newsletter = consents(access).get("newsletters")
    initial = {"newsletter": bool(newsletter and newsletter.given)}
    if contact is not None:
        initial |= {f: getattr(contact, f) for f in ("name", "role", "email", "phone")}
    form = OrganizationContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_organization_contact(access, **form.cleaned_data)
        except InputError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Contact person saved."))
            return redirect("patrons:serving", context_id=context.pk)
    status = 422 if form.is_bound else 200
    page = {"context": context, "patron": patron, "form": form}
    return render(request, "outreach/organization_contact.html", page, status=status)
