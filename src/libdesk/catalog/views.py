"""Catalogue pages: search with facets, the record page, and the staff item view."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from libdesk.access.table import DESK_ROLES
from libdesk.accounts.decorators import staff_required
from libdesk.catalog import selectors
from libdesk.catalog.items import update_item
from libdesk.catalog.languages import language_name
from libdesk.catalog.models import Item, ItemStatus, MaterialType
from libdesk.catalog.search.query import parse
from libdesk.circulation.desk import CirculationError
from libdesk.circulation.disclosure import RevealReason
from libdesk.circulation.disclosure import reveal_borrower as reveal
from libdesk.core import metrics
from libdesk.core.bounds import (
    CODE_MAX,
    MAX_RESULT_WINDOW,
    SEARCH_TEXT_MAX,
    SHORT_TEXT_MAX,
    YEAR_MAX,
    YEAR_MIN,
)
from libdesk.core.decisions import Refused
from libdesk.core.errors import InputError
from libdesk.core.ratelimit import check_search, client_address
from libdesk.core.replica import anonymous_reads
from libdesk.library.models import Branch
from libdesk.library.selectors import shelf_location_names
from libdesk.outreach.links import feed_links
from libdesk.outreach.selectors import subject_heading
from libdesk.web.decorators import render_refusal
from libdesk.web.patron_session import anonymous_visitor, signed_in_patron_id

# Anonymous visitors' searches and record pages read the catalogue from the read replica,
# when there is one (core/replica.py); a signed-in patron's come from the primary.
replica_reads = anonymous_reads(anonymous_visitor)

PAGE_SIZE = 20
SORTS = [
    ("relevance", gettext_lazy("Relevance")),
    ("newest", gettext_lazy("Newest")),
    ("title", gettext_lazy("Title")),
    ("author", gettext_lazy("Author")),
]


class SearchForm(forms.Form):
    """The search box and its filters, each bounded like the API's (core.bounds)."""

    q = forms.CharField(
        required=False, max_length=SEARCH_TEXT_MAX, label=gettext_lazy("Search the catalogue")
    )
    sort = forms.ChoiceField(required=False, choices=SORTS, label=gettext_lazy("Sort by"))
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_RESULT_WINDOW // PAGE_SIZE,
        label=gettext_lazy("Page"),
    )
    year_from = forms.IntegerField(
        required=False,
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        label=gettext_lazy("Published from"),
    )
    year_to = forms.IntegerField(
        required=False, min_value=YEAR_MIN, max_value=YEAR_MAX, label=gettext_lazy("to")
    )
    material_type = forms.CharField(
        required=False, max_length=CODE_MAX, label=gettext_lazy("Format")
    )
    language = forms.CharField(required=False, max_length=CODE_MAX, label=gettext_lazy("Language"))
    audience = forms.CharField(required=False, max_length=CODE_MAX, label=gettext_lazy("Audience"))
    subject = forms.CharField(
        required=False, max_length=SHORT_TEXT_MAX, label=gettext_lazy("Subject")
    )
    available_at = forms.CharField(
        required=False, max_length=CODE_MAX, label=gettext_lazy("Available now at")
    )


@require_GET
@replica_reads
def search(request: HttpRequest) -> HttpResponse:
    """The search page. Out-of-range input is a form error naming the field (422), never a
    search; searches from one address are limited (429 with the Decision)."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        return _search_page(request, {"form": form, "searched": False}, status=422)
    data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    query = data.get("q", "")
    filters = {k: data[k] for k in selectors.FILTERS if k in data}
    if not query and not filters:
        return _search_page(request, {"form": form, "searched": False})
    try:
        check_search(client_address(request))
    except Refused as refused:
        return render_refusal(request, refused)
    try:
        found = selectors.search(
            query,
            filters=filters,
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
            sort=data.get("sort", "relevance"),
            page=data.get("page", 1),
            limit=PAGE_SIZE,
        )
    except InputError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _search_page(request, {"form": form, "searched": False}, status=422)
    metrics.searched("web")
    if found.exact and len(found.records) == 1:
        return redirect("catalog:record", record_id=found.records[0].pk)
    return _search_page(request, {**_results(form, data, query, found), **_patron(request)})


def _patron(request: HttpRequest) -> dict:
    """What the results page offers a signed-in patron: a hold with one click, picked up at
    their home branch."""
    from libdesk.access.purposes import Access
    from libdesk.catalog.saved_lists import lists_of
    from libdesk.patrons.selectors import patron_profile

    patron_id = signed_in_patron_id(request)
    if patron_id is None:
        return {}
    access = Access.own(patron_id)
    patron = patron_profile(access)
    return {"hold_branch": patron.home_branch.code, "saved_lists": lists_of(access)}


def _search_page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    data = getattr(context.get("form"), "cleaned_data", {})
    subject, material_type = data.get("subject") or "", data.get("material_type") or ""
    context["feeds"] = feed_links(subject, material_type)
    return render(request, "catalog/search.html", context, status=status)


def _results(form: SearchForm, data: dict, query: str, found: selectors.SearchResult) -> dict:
    page = data.get("page", 1)
    further = page * PAGE_SIZE < found.total
    names = _branch_names()  # read once: facets, filters and availability all name branches
    return {
        "form": form,
        "searched": True,
        "found": found,
        "query": query,
        "rows": [(r, found.availability.get(r.pk, [])) for r in found.records],
        "facets": _facet_links(data, found.facets, names),
        "active": _active_filters(data, names),
        "suggestion": _link(data, q=found.suggestion, page=1) if found.suggestion else None,
        "broader": _broader(query, data) if found.total == 0 else [],
        "previous": _link(data, page=page - 1) if page > 1 else None,
        "next": _link(data, page=page + 1)
        if further and (page + 1) * PAGE_SIZE <= MAX_RESULT_WINDOW
        else None,
        "pages": _page_links(data, page, found.total),
        "page": page,
        "window_ends": further and (page + 1) * PAGE_SIZE > MAX_RESULT_WINDOW,
        "window": MAX_RESULT_WINDOW,
        "first": (page - 1) * PAGE_SIZE + 1,
        "last": min(page * PAGE_SIZE, found.total),
        "material_labels": dict(MaterialType.choices),
        "branch_names": names,
    }


PAGES_AROUND = 2  # page links either side of the current one


def _page_links(data: dict, page: int, total: int) -> list[tuple[int | None, str]]:
    """Numbered page links: the first, the last that can be browsed, and a few around this
    one; (None, "") marks a gap. At most 2 * PAGES_AROUND + 5 entries however many results."""
    last = min(-(-total // PAGE_SIZE), MAX_RESULT_WINDOW // PAGE_SIZE)
    if last <= 1:
        return []
    shown = {1, last, *range(max(1, page - PAGES_AROUND), min(last, page + PAGES_AROUND) + 1)}
    links: list[tuple[int | None, str]] = []
    for number in sorted(shown):
        if links and links[-1][0] is not None and number - links[-1][0] > 1:
            links.append((None, ""))
        links.append((number, _link(data, page=number)))
    return links


def _link(data: dict, **changes) -> str:
    params = {**data, **changes}
    kept = {k: v for k, v in params.items() if v not in (None, "") and (k, v) != ("page", 1)}
    return "?" + urlencode(kept)


FACET_TITLES = {
    "material_type": gettext_lazy("Format"),
    "available_at": gettext_lazy("Available now at"),
    "language": gettext_lazy("Language"),
    "audience": gettext_lazy("Audience"),
    "subject_facet": gettext_lazy("Subject"),
}


def _facet_links(
    data: dict, facets: dict, names: dict[str, str]
) -> list[tuple[str, list[tuple[str, int, str]]]]:
    labels = _value_labels(names)
    out = []
    for name, title in FACET_TITLES.items():
        param = "subject" if name == "subject_facet" else name
        values = [
            (_label(labels, param, v), count, _link(data, **{param: v, "page": 1}))
            for v, count in facets.get(name, [])[:10]
            if v not in ("und", "unknown")
        ]
        if values:
            out.append((str(title), values))
    return out


def _branch_names() -> dict[str, str]:
    """Each branch's name by its code: pages name a branch, never show its code."""
    return dict(Branch.objects.values_list("code", "name"))


# The audiences derive.py reads from a record (MARC 008's target audience), in words.
AUDIENCE_LABELS = {
    "preschool": gettext_lazy("Preschool children"),
    "children": gettext_lazy("Children"),
    "teen": gettext_lazy("Teens"),
    "adult": gettext_lazy("Adults"),
    "general": gettext_lazy("General audience"),
}


def _value_labels(names: dict[str, str]) -> dict[str, dict[str, str]]:
    return {
        "material_type": {k: str(v) for k, v in MaterialType.choices},
        "available_at": names,
        "audience": {k: str(v) for k, v in AUDIENCE_LABELS.items()},
    }


def _label(labels: dict, name: str, value: str) -> str:
    """Words for a facet or filter value: a language's name in the page's language, a
    format's, branch's or audience's name; anything else (subjects) as it is."""
    if name == "language":
        return language_name(value)
    return labels.get(name, {}).get(value, value)


FILTER_TITLES = {
    **{("subject" if k == "subject_facet" else k): v for k, v in FACET_TITLES.items()},
    "year_from": gettext_lazy("Published from"),
    "year_to": gettext_lazy("Published up to"),
}


def _active_filters(data: dict, names: dict[str, str]) -> list[tuple[str, str]]:
    return [(label, _link(data, **{k: "", "page": 1})) for k, label in _filters_set(data, names)]


def _filters_set(data: dict, names: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(parameter, "Language: Dutch") for each filter of this search (the branches' names
    read only when a filter is set and they were not given)."""
    keys = [k for k in (*selectors.FILTERS, "year_from", "year_to") if data.get(k)]
    if not keys:
        return []
    labels = _value_labels(_branch_names() if names is None else names)
    return [(k, f"{FILTER_TITLES[k]}: {_label(labels, k, str(data[k]))}") for k in keys]


def _broader(query: str, data: dict) -> list[tuple[str, str, int]]:
    """Broader searches for a search that found nothing, each tried first and offered only
    when it finds something, with how many: without one of the filters, every field instead
    of the one named (title:...), without one of the words, words beginning like the one
    typed."""
    options = [
        (_("Without the filter %(f)s") % {"f": label}, {k: ""}) for k, label in _filters_set(data)
    ]
    parsed = parse(query)
    plain = " ".join(
        (f'"{" ".join(t.words)}"' if len(t.words) > 1 else t.words[0])
        for t in parsed.terms
        if t.field != "isbn"
    )
    if any(t.field for t in parsed.terms) and plain:
        options.append((_("Search every field for %(q)s") % {"q": plain}, {"q": plain}))
    words = query.split()
    if len(words) > 1:
        for word in words[:4]:
            shorter = " ".join(w for w in words if w != word)
            options.append((_("Search for %(q)s") % {"q": shorter}, {"q": shorter}))
    found = [
        (label, _link(data, **changes, page=1), total)
        for label, changes in options
        if (total := _count({**data, **changes}))
    ]
    if len(words) == 1 and len(parsed.terms) == 1 and not parsed.terms[0].prefix:
        word = parsed.terms[0].words[-1]
        for stem in (word[:end] for end in range(len(word) - 1, max(4, len(word) // 2) - 1, -1)):
            if total := _count({**data, "q": stem + "*"}):
                label = _("Words beginning with %(s)s") % {"s": stem}
                found.append((label, _link(data, q=stem + "*", page=1), total))
                break
    return found


def _count(params: dict) -> int:
    filters = {k: params[k] for k in selectors.FILTERS if params.get(k)}
    return selectors.count(
        params.get("q", ""), filters, params.get("year_from") or None, params.get("year_to") or None
    )


def _record_feeds(record) -> list[dict[str, str]]:
    """The new-arrivals feeds of the record's format and of its first subject heading."""
    feeds = feed_links(material_type=record.material_type)
    headings = [subject_heading(s) for s in record.subjects if s.strip()]
    return (feed_links(subject=headings[0]) if headings else []) + feeds


@replica_reads
def record(request: HttpRequest, record_id: int) -> HttpResponse:
    found = selectors.record_page(record_id)
    if found is None:
        raise Http404
    items = list(selectors.items_of(found))
    editions = selectors.other_editions(found)
    copies = selectors.availability([found.pk, *(e.pk for e in editions)])  # one read for all
    return render(
        request,
        "catalog/record.html",
        {
            "record": found,
            "items": items,
            "json_ld": _json_ld(request, found),
            "availability": copies[found.pk],
            "editions": [(e, copies.get(e.pk, [])) for e in editions],
            "permalink": request.build_absolute_uri(reverse("catalog:record", args=[found.pk])),
            "material_labels": dict(MaterialType.choices),
            "branch_names": _branch_names(),
            "location_names": shelf_location_names(get_language() or "en"),
            "feeds": _record_feeds(found),
            **_requesting(request, found, items),
        },
    )


def _requesting(request: HttpRequest, record, items) -> dict:
    """Due dates for copies on loan (nothing about who has them), the hold form, and what
    can be offered when no copy is on the shelf at the patron's branch."""
    from libdesk.access.purposes import Access
    from libdesk.catalog.saved_lists import lists_of
    from libdesk.circulation.forms import PatronHoldForm
    from libdesk.circulation.selectors import due_dates
    from libdesk.circulation.services import HOLDABLE
    from libdesk.circulation.services.alternatives import alternatives_for
    from libdesk.patrons.selectors import patron_profile

    patron_id = signed_in_patron_id(request)
    patron = patron_profile(Access.own(patron_id)) if patron_id else None
    branch = patron.home_branch if patron else None
    dues = due_dates(items)
    for item in items:
        item.due = dues.get(item.pk)
    here = [
        i for i in items if i.status == "available" and (branch is None or i.branch_id == branch.pk)
    ]
    return {
        "signed_in_patron": patron,
        "saved_lists": lists_of(Access.own(patron_id)) if patron else [],
        "hold_form": PatronHoldForm(
            initial={"record_id": record.pk, "pickup_branch": branch.code if branch else None},
            copies=[i for i in items if i.status in HOLDABLE],
        ),
        "alternatives": () if here else alternatives_for(record, patron, branch),
    }


def _json_ld(request: HttpRequest, record) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "Book",
        "name": record.title,
        "author": [{"@type": "Person", "name": a} for a in record.authors],
        "isbn": record.isbns,
        "datePublished": str(record.year) if record.year else None,
        "publisher": record.publisher or None,
        "inLanguage": record.language or None,
        "url": request.build_absolute_uri(reverse("catalog:record", args=[record.pk])),
    }
    text = json.dumps({k: v for k, v in data.items() if v}, ensure_ascii=False)
    return mark_safe(text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026"))  # noqa: S308 - escaped above


class ItemForm(forms.Form):
    branch = forms.ModelChoiceField(
        queryset=Branch.objects.all(),
        to_field_name="code",
        empty_label=None,
        label=gettext_lazy("Branch"),
    )
    location = forms.CharField(required=False, max_length=60, label=gettext_lazy("Location"))
    call_number = forms.CharField(required=False, max_length=100, label=gettext_lazy("Call number"))
    collection = forms.CharField(required=False, max_length=60, label=gettext_lazy("Collection"))
    status = forms.ChoiceField(choices=ItemStatus.choices, label=gettext_lazy("Status"))


@staff_required(roles=DESK_ROLES)
def staff_record(
    request: HttpRequest, record_id: int, revealed: dict | None = None
) -> HttpResponse:
    found = selectors.record_page(record_id)
    if found is None:
        raise Http404
    forms_by_item = [
        (
            item,
            ItemForm(
                prefix=f"i{item.pk}",
                initial={
                    "branch": item.branch,
                    "location": item.location,
                    "call_number": item.call_number,
                    "collection": item.collection,
                    "status": item.status,
                },
            ),
        )
        for item in selectors.items_of(found)
    ]
    return render(
        request,
        "catalog/staff_record.html",
        {
            "record": found,
            "item_forms": forms_by_item,
            "reveal_reasons": RevealReason.choices,
            **(revealed or {}),
        },
    )


class RevealBorrowerForm(forms.Form):
    """Why the desk needs to know who has a copy: a reason from the list, never words typed
    at the desk (they would stay in the audit log beside the loan)."""

    reason = forms.ChoiceField(
        choices=RevealReason.choices, label=gettext_lazy("Why you need to know")
    )


@staff_required(roles=DESK_ROLES)
@require_POST
def reveal_borrower(request: HttpRequest, item_id: int) -> HttpResponse:
    """Who has this copy now, for a reason from the list; the page shows it once, nothing
    keeps it."""
    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        raise Http404
    form = RevealBorrowerForm(request.POST)
    try:
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        borrower = reveal(request.user, request.workstation, item, reason)
    except CirculationError as error:
        messages.error(request, error.message)
        return redirect("catalog:staff-record", record_id=item.record_id)
    return staff_record(
        request, item.record_id, revealed={"revealed_item": item, "borrower": borrower}
    )


@staff_required(roles=DESK_ROLES)
def staff_item(request: HttpRequest, item_id: int) -> HttpResponse:
    item = Item.objects.filter(pk=item_id).first()
    if item is None or request.method != "POST":
        raise Http404
    form = ItemForm(request.POST, prefix=f"i{item.pk}")
    if form.is_valid():
        data = {**form.cleaned_data, "branch": form.cleaned_data["branch"].code}
        try:
            update_item(request.user, request.workstation, item, **data)
        except Refused as refused:
            return render_refusal(request, refused)
        except InputError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Item %(barcode)s saved.") % {"barcode": item.barcode})
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("catalog:staff-record", record_id=item.record_id)


@staff_required(roles=DESK_ROLES)
@require_POST
def withdraw_item(request: HttpRequest, item_id: int) -> HttpResponse:
    """Take a copy out of the collection; its holds move to the other copies."""
    from libdesk.circulation.desk import CirculationError, Desk
    from libdesk.circulation.services import withdraw

    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        raise Http404
    try:
        withdraw(Desk.staff_at(request.user, request.workstation), item.barcode)
    except Refused as refused:
        return render_refusal(request, refused)
    except CirculationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Item %(barcode)s withdrawn.") % {"barcode": item.barcode})
    return redirect("catalog:staff-record", record_id=item.record_id)
