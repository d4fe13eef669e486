"""The desk's serving page, which several web doors answer with (opening an account, a
checkout, a renewal): the patron's record and circulation's panels. Shared by the patrons and
circulation desk views, so it sits beside them rather than in either."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from libdesk.circulation.panels import serving_panels
from libdesk.outreach.selectors import is_organization, organization_contact
from libdesk.patrons import selectors
from libdesk.patrons.forms import (
    LiftCardBlockForm,
    LinkGuardianForm,
    PinResetForm,
    RenewForm,
    ReplaceCardForm,
)
from libdesk.patrons.notes import notes_for
from libdesk.privacy.services import active_serving_context, serving_access


def context_or_404(request: HttpRequest, context_id):
    """This member of staff's open serving context, or 404 (ended, another's, or none)."""
    context = active_serving_context(context_id, request.user, request.workstation)
    if context is None:
        raise Http404("no such serving context")
    return context


def render_serving(
    request: HttpRequest, context, extra: dict | None = None, status: int = 200
) -> HttpResponse:
    """The serving page: the patron's record and, from circulation, loans, holds and fees."""
    access = serving_access(context)
    patron = selectors.patron_profile(access)
    panels = serving_panels(access, context)
    if context.guardian_id:
        return render(
            request,
            "patrons/serving_guardian.html",
            {"context": context, "patron": patron, **panels},
            status=status,
        )
    guardians, children = selectors.guardians_and_children(access)
    return render(
        request,
        "patrons/serving.html",
        {
            "context": context,
            "patron": patron,
            "guardians": guardians,
            "children": children,
            "renew_form": RenewForm(),
            "replace_form": ReplaceCardForm(),
            "pin_form": PinResetForm(),
            "guardian_form": LinkGuardianForm(),
            "sign_in_locks": [lock for lock in selectors.sign_in_locks(access) if lock.active],
            "card_blocks": selectors.active_card_blocks(access),
            "lift_block_form": LiftCardBlockForm(),
            "notes": notes_for(access),
            "organization_contact": (
                organization_contact(access) if is_organization(patron) else None
            ),
            **panels,
            **(extra or {}),
        },
        status=status,
    )
