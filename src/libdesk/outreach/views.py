"""Outreach's public doors: the library's news, the new arrivals (a page, and RSS 2.0 and
Atom feeds, by subject or by format), and the newsletter's unsubscribe link, which works
without signing in. Views read, call a selector or service, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from libdesk.catalog.models import MaterialType
from libdesk.outreach import selectors, services
from libdesk.outreach.forms import ArrivalsFilterForm
from libdesk.outreach.links import feed_links, patron_for_token
from libdesk.web.decorators import rate_limited_form


def _language() -> str:
    return "fr" if (get_language() or "en").startswith("fr") else "en"


def news(request: HttpRequest) -> HttpResponse:
    """The library's announcements, newest first, in the reader's language."""
    language = _language()
    items = [
        {"title": a.title(language), "body": a.body(language), "published_at": a.published_at}
        for a in selectors.published_announcements()
    ]
    return render(request, "outreach/news.html", {"items": items})


def _filters(request: HttpRequest) -> tuple[str, str]:
    """The subject and format asked for; anything out of bounds names nothing (404)."""
    form = ArrivalsFilterForm(request.GET)
    if not form.is_valid():
        raise Http404("no such filter")
    return form.cleaned_data["subject"].strip(), form.cleaned_data["format"]


def new_arrivals(request: HttpRequest) -> HttpResponse:
    """What joined the collection lately, filterable by subject and by format."""
    subject, material_type = _filters(request)
    context = {
        "form": ArrivalsFilterForm(request.GET or None),
        "arrivals": selectors.new_arrivals(subject=subject, material_type=material_type),
        "subjects": selectors.arrival_subjects(),
        "formats": MaterialType.choices,
        "subject": subject,
        "material_type": material_type,
        "format_label": selectors.material_type_label(material_type),
        "feeds": feed_links(subject, material_type),
        "days": selectors.ARRIVALS_DAYS,
    }
    return render(request, "outreach/new_arrivals.html", context)


class ArrivalsFeed(Feed):
    """New arrivals as RSS 2.0 (Django's syndication framework): all of them, or one subject
    heading (`?subject=`), or one format (`?format=`)."""

    def get_object(self, request: HttpRequest, *args, **kwargs):
        subject, material_type = _filters(request)
        return {"subject": subject, "material_type": material_type}

    def title(self, obj) -> str:
        if obj["subject"]:
            return _("New arrivals: %(subject)s") % {"subject": obj["subject"]}
        if obj["material_type"]:
            label = selectors.material_type_label(obj["material_type"])
            return _("New arrivals: %(format)s") % {"format": label}
        return _("New arrivals")

    def link(self, obj) -> str:
        query = {"subject": obj["subject"], "format": obj["material_type"]}
        query = {k: v for k, v in query.items() if v}
        return reverse("outreach:new-arrivals") + ("?" + urlencode(query) if query else "")

    def description(self, obj) -> str:
        return _("What joined the library's collection in the last %(days)d days.") % {
            "days": selectors.ARRIVALS_DAYS
        }

    def items(self, obj):
        return selectors.new_arrivals(subject=obj["subject"], material_type=obj["material_type"])

    def item_title(self, item) -> str:
        return item.record.title

    def item_description(self, item) -> str:
        parts = [", ".join(item.record.authors[:3]), str(item.record.get_material_type_display())]
        if item.record.year:
            parts.append(str(item.record.year))
        return " · ".join(p for p in parts if p)

    def item_link(self, item) -> str:
        return reverse("catalog:record", args=[item.record.pk])

    def item_pubdate(self, item):
        return item.added_at

    def item_updateddate(self, item):
        return item.added_at

    def item_categories(self, item):
        return [selectors.subject_heading(s) for s in item.record.subjects[:5] if s.strip()]


class ArrivalsAtomFeed(ArrivalsFeed):
    """The same feed as Atom 1.0."""

    feed_type = Atom1Feed

    def subtitle(self, obj) -> str:
        return self.description(obj)


@rate_limited_form("unsubscribe")
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every newsletter: a page that asks to confirm (GET changes nothing, so a
    mail scanner that opens links unsubscribes nobody), then withdraws the consent (POST)."""
    if patron_for_token(token) is None:
        raise Http404("no such link")
    if request.method == "POST":
        services.unsubscribe(token)
        return render(request, "outreach/unsubscribed.html")
    return render(request, "outreach/unsubscribe.html", {"token": token})
