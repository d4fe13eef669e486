"""The staff client's circulation pages: the serving page's loans, holds and fees (with
checkout), check-in, the holds desk, the requests queue, loan rules, reports and the call list."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from libdesk.access.table import DESK_ROLES, Role
from libdesk.accounts.decorators import staff_required
from libdesk.catalog.models import Record
from libdesk.circulation import checkin_log, reports, selectors, services
from libdesk.circulation.desk import CirculationError, Desk, OverrideRequest
from libdesk.circulation.forms import (
    BarcodeForm,
    CheckoutForm,
    DamageForm,
    DeskRequestForm,
    ExtendForm,
    LoanForm,
    LoanRuleForm,
    PayForm,
    RequestUpdateForm,
    StaffHoldForm,
    WaiveForm,
)
from libdesk.circulation.models import Loan, LoanRule, PatronRequest
from libdesk.circulation.rules import LOAN_RULE_CLAUSE, save_loan_rule
from libdesk.core import clock
from libdesk.core.bounds import parse_id
from libdesk.core.charts import bar_chart
from libdesk.core.csv_export import csv_response
from libdesk.core.decisions import Decision, Refused
from libdesk.library.mail import sends_mail
from libdesk.patrons.serving_page import context_or_404, render_serving
from libdesk.privacy.services import serving_access

MAX_REPORT_DAYS = 3660  # ten years: the counts are small, the page stays quick
RULE_EDITORS = [Role.HEAD_LIBRARIAN, Role.ADMINISTRATOR]
REPORT_READERS = [*DESK_ROLES, Role.ADMINISTRATOR]


def _desk(request: HttpRequest) -> Desk:
    return Desk.staff_at(request.user, request.workstation)


def _serving(request, context_id):
    context = context_or_404(request, context_id)
    if context.guardian_id:
        raise Http404  # a guardian at the desk is shown the child's account, nothing is done
    return context


@staff_required(roles=DESK_ROLES)
@require_POST
def checkout(request: HttpRequest, context_id) -> HttpResponse:
    """Scan an item for the patron being served; the page shows the Decision. After every
    scan, granted or refused, the scan box is empty for the next one; a refusal keeps its
    barcode in the override form only."""
    context = _serving(request, context_id)
    form = CheckoutForm(request.POST)
    if not form.is_valid():
        return render_serving(request, context, {"checkout_form": form}, status=422)
    data = form.cleaned_data
    override = None
    try:
        if data["override_reason"]:
            override = OverrideRequest(data["override_reason"], data["override_note"])
        result = services.checkout(
            _desk(request), context.patron, data["barcode"], override=override
        )
    except Refused as refused:
        extra = {"decision": refused.decision, "refused_barcode": data["barcode"]}
        return render_serving(request, context, extra, 409)
    except CirculationError as error:
        return render_serving(request, context, {"scan_error": error.message}, status=422)
    return render_serving(request, context, {"decision": result.decision, "last_loan": result.loan})


def todays_loans(context) -> list[Loan]:
    """What this patron borrowed today: the receipt's lines (an audited read of loans)."""
    today = clock.today()
    loans_now = selectors.current_loans(serving_access(context))
    return [
        loan
        for loan in loans_now
        if loan.checked_out_at.astimezone(clock.library_zone()).date() == today
    ]


@staff_required(roles=DESK_ROLES)
def receipt(request: HttpRequest, context_id) -> HttpResponse:
    """A printable checkout slip: today's loans, due dates, the card's last four digits."""
    context = _serving(request, context_id)
    if request.method == "POST":
        lent = todays_loans(context)
        if not context.patron.email:
            messages.error(request, _("This patron has no e-mail address; print the slip."))
        elif lent:
            from libdesk.circulation.tasks import queue_receipt

            queue_receipt([loan.pk for loan in lent])
            messages.success(request, _("Receipt sent by e-mail."))
        return redirect("patrons:serving", context_id=context.pk)
    response = render(
        request,
        "circulation/receipt.html",
        {"context": context, "loans": todays_loans(context), "today": clock.today()},
    )
    response["Cache-Control"] = "no-store"
    return response


@staff_required(roles=DESK_ROLES)
@require_POST
def loan_action(request: HttpRequest, context_id, action: str) -> HttpResponse:
    """Renew (one, the selected, or all), extend, lost, claims returned, pay, waive, place a
    hold or start a request (an alternative's one click), cancel a hold (after a confirming
    step), mark a kiosk's offline conflict resolved: for the patron served."""
    context = _serving(request, context_id)
    desk = _desk(request)
    if action == "cancel-hold" and request.POST.get("confirm") != "1":
        return _confirm_cancel_hold(request, context)
    try:
        answer = _run_action(desk, context, action, request.POST)
    except Refused as refused:
        return render_serving(request, context, {"decision": refused.decision}, status=409)
    except CirculationError as error:
        messages.error(request, error.message)
        return redirect("patrons:serving", context_id=context.pk)
    if isinstance(answer, list):
        return render_serving(request, context, {"renewals": answer})
    if answer is not None:
        return render_serving(request, context, {"decision": answer})
    return redirect("patrons:serving", context_id=context.pk)


def _confirm_cancel_hold(request: HttpRequest, context) -> HttpResponse:
    """Cancelling a hold gives up the patron's place in line: a page asks first (a second
    POST with confirm=1 does it), so it works the same with or without JavaScript."""
    hold = selectors.hold_for(serving_access(context), request.POST.get("hold_id"), action="change")
    return render(
        request,
        "web/confirm.html",
        {
            "title": _("Cancel this hold?"),
            "question": _(
                "Cancel the hold on %(title)s? The patron loses their place in line, and "
                "this cannot be undone."
            )
            % {"title": hold.record.title},
            "action": request.path,
            "fields": {"hold_id": hold.pk},
            "yes": _("Yes, cancel the hold"),
            "back": reverse("patrons:serving", args=[context.pk]),
        },
    )


def _run_action(desk: Desk, context, action: str, post):
    access = serving_access(context)
    if action in ("renew-selected", "renew-all"):
        loan_ids = post.getlist("loan_id") if action == "renew-selected" else None
        if loan_ids == []:
            raise CirculationError("loan_id", _("Select the loans to renew."))
        return services.renew_each(desk, selectors.loans_for(access, loan_ids))
    if action == "request":
        return _request_for_patron(desk, context, _valid(DeskRequestForm(post)))
    if action in ("renew", "lost", "claimed"):
        loan = _loan(access, LoanForm(post))
        if action == "renew":
            return services.renew(desk, loan).decision
        if action == "lost":
            services.mark_lost(desk, loan)
        else:
            services.claim_returned(desk, loan)
        return None
    if action == "extend":
        form = _valid(ExtendForm(post))
        loan = _loan(access, form)
        override = OverrideRequest(form.cleaned_data["reason"], form.cleaned_data["note"])
        services.extend_due(desk, loan, form.cleaned_data["new_due"], override)
        return None
    if action in ("pay", "waive"):
        form = _valid((PayForm if action == "pay" else WaiveForm)(post))
        fee = selectors.fee_for(access, form.cleaned_data["fee_id"], action="change")
        if action == "pay":
            payment = services.pay(
                desk, fee, form.cleaned_data["amount"], form.cleaned_data["method"]
            )
            return Decision.allow(
                "payment_received", receipt=payment.receipt, amount=payment.amount
            )
        else:
            override = OverrideRequest(form.cleaned_data["reason"], form.cleaned_data["note"])
            services.waive(desk, fee, form.cleaned_data["amount"], override)
        return None
    if action == "hold":
        return _staff_hold(desk, context, _valid(StaffHoldForm(post)))
    if action == "cancel-hold":
        hold = selectors.hold_for(access, post.get("hold_id"), action="change")
        services.cancel_hold(desk, hold)
        return None
    if action == "resolve-conflict":
        services.resolve_offline_conflict(access, post.get("conflict_id"))
        return None
    raise Http404


def _valid(form):
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else ""
        raise CirculationError(field, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return form


def _loan(access, form) -> Loan:
    """The served patron's loan the form names (404 for anyone else's)."""
    return selectors.loan_for(access, _valid(form).cleaned_data["loan_id"], action="change")


def _staff_hold(desk: Desk, context, form):
    data = form.cleaned_data
    record = item = None
    if data["barcode"]:
        item = services.item_by_barcode(data["barcode"])
    elif data["record_id"]:
        record = Record.objects.filter(pk=data["record_id"]).first()
        if record is None:
            raise CirculationError("record_id", _("No record has that number."))
    else:
        raise CirculationError("record_id", _("Give a record number or a barcode."))
    _hold, decision = services.place_hold(
        desk,
        context.patron,
        pickup_branch=data["pickup_branch"],
        record=record,
        item=item,
        any_edition=data["any_edition"],
    )
    return decision


def _request_for_patron(desk: Desk, context, form):
    """An alternative taken at the desk: an interlibrary loan request or a purchase
    suggestion for the record refused, to be picked up here."""
    record = Record.objects.filter(pk=form.cleaned_data["record_id"]).first()
    if record is None:
        raise CirculationError("record_id", _("No record has that number."))
    _request, decision = services.submit_request(
        desk,
        context.patron,
        kind=form.cleaned_data["kind"],
        pickup_branch=desk.branch,
        record=record,
    )
    return decision


@staff_required(roles=DESK_ROLES)
def checkin(request: HttpRequest) -> HttpResponse:
    """Scan returns. Each answer says where the item goes: hold shelf (with the pickup code),
    in transit, or back to the shelf; the returns of this sign-in are listed below, newest
    first, each with its slip when it needs one."""
    form = BarcodeForm(request.POST or None)
    damage_form = DamageForm(prefix="damage")
    result, status = None, 200
    if request.method == "POST" and request.POST.get("clear") == "1":
        checkin_log.clear(request.session)
        return redirect("circulation:checkin")
    if request.method == "POST" and form.is_valid():
        try:
            result = services.checkin(_desk(request), form.cleaned_data["barcode"])
            checkin_log.remember(request.session, result)
            form = BarcodeForm()
        except CirculationError as error:
            form.add_error("barcode", error.message)
            status = 422
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "circulation/checkin.html",
        {
            "form": form,
            "result": result,
            "damage_form": damage_form,
            "session_checkins": checkin_log.listed(request.session),
        },
        status=status,
    )


@staff_required(roles=DESK_ROLES)
def slip(request: HttpRequest, copy: str) -> HttpResponse:
    """The slip to print for a copy checked in: the hold shelf's (pickup code, never a name)
    or transit's (where it goes). A copy that needs none is not found."""
    found = selectors.slip_for(copy)
    if found is None:
        raise Http404("no slip for this copy")
    return render(
        request, "circulation/slip.html", {"slip": found, "branch": request.workstation.branch}
    )


@staff_required(roles=DESK_ROLES)
@require_POST
def damaged(request: HttpRequest) -> HttpResponse:
    form = DamageForm(request.POST, prefix="damage")
    if form.is_valid():
        try:
            result = services.return_damaged(
                _desk(request),
                form.cleaned_data["barcode"],
                form.cleaned_data["charge"],
                form.cleaned_data["note"],
            )
        except CirculationError as error:
            form.add_error("barcode", error.message)
        else:
            messages.success(
                request,
                _("Item %(barcode)s set aside as damaged.") % {"barcode": result.item.barcode},
            )
            return redirect("circulation:checkin")
    return render(
        request,
        "circulation/checkin.html",
        {
            "form": BarcodeForm(),
            "damage_form": form,
            "result": None,
            "session_checkins": checkin_log.listed(request.session),
        },
        status=422,
    )


@staff_required(roles=DESK_ROLES)
def holds_desk(request: HttpRequest) -> HttpResponse:
    """This branch's pull list, hold shelf and arrivals. Pickup codes, never names."""
    branch = request.workstation.branch
    return render(
        request,
        "circulation/holds_desk.html",
        {
            "branch": branch,
            "pull": selectors.pull_list(branch),
            "shelf": selectors.hold_shelf(branch),
            "arriving": selectors.in_transit(branch),
        },
    )


@staff_required(roles=DESK_ROLES)
def requests_queue(request: HttpRequest) -> HttpResponse:
    """Interlibrary loans and purchase suggestions in the order they came."""
    return render(
        request,
        "circulation/requests_queue.html",
        {"queue": selectors.request_queue(), "form": RequestUpdateForm()},
    )


@staff_required(roles=DESK_ROLES)
@require_POST
def update_request(request: HttpRequest, request_id: int) -> HttpResponse:
    item = get_object_or_404(PatronRequest, pk=request_id)
    form = RequestUpdateForm(request.POST)
    if form.is_valid():
        try:
            services.update_request(
                _desk(request), item, form.cleaned_data["status"], form.cleaned_data["staff_note"]
            )
            messages.success(request, _("Request updated."))
        except CirculationError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Choose the new status."))
    return redirect("circulation:requests")


@staff_required(roles=REPORT_READERS)
def board_reports(request: HttpRequest) -> HttpResponse:
    """Figures for the board, from tables with no patron in them: charts, and the same
    numbers in tables, every code in words."""
    report = _board_report(request)
    return render(
        request,
        "circulation/reports.html",
        {
            "report": report,
            "days": (report.end - report.start).days,
            "totals_chart": bar_chart(
                _("Checkouts, returns and renewals"),
                [(label, n) for _event, label, n in report.totals],
            ),
            "waits_chart": bar_chart(
                _("Median days a request waited"),
                [(label, w.median_days or 0) for label, w in report.waits],
            ),
            "overrides_chart": bar_chart(
                _("Overrides by kind and reason"),
                [(f"{kind}: {reason}", n) for kind, reason, n in report.overrides],
            )
            if report.overrides
            else None,
        },
    )


@staff_required(roles=REPORT_READERS)
def board_reports_csv(request: HttpRequest) -> HttpResponse:
    """The board's figures as CSV, for a spreadsheet: the same period and numbers as the page."""
    report = _board_report(request)
    name = f"circulation-figures-{report.start.isoformat()}-{report.end.isoformat()}.csv"
    return csv_response(name, reports.csv_rows(report))


def _board_report(request: HttpRequest) -> reports.BoardReport:
    asked = parse_id(request.GET.get("days"))  # a whole number from 1, or nothing
    days = min(asked, MAX_REPORT_DAYS) if asked else 30
    end = clock.today()
    return reports.board_report(end - timedelta(days=days), end)


@staff_required(roles=DESK_ROLES)
def call_list(request: HttpRequest) -> HttpResponse:
    """Patrons without e-mail to phone or write to today (counts only, no titles)."""
    return render(
        request,
        "circulation/call_list.html",
        {
            "entries": selectors.call_list(request.user, request.workstation),
            "no_mail": not sends_mail(),
        },
    )


@staff_required(roles=[*DESK_ROLES, Role.ADMINISTRATOR])
def rules(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "circulation/rules.html",
        {
            "rules": LoanRule.objects.select_related("branch"),
            "can_edit": request.user.role in RULE_EDITORS,
        },
    )


@staff_required(roles=RULE_EDITORS)
def edit_rule(request: HttpRequest, rule_id: int | None = None) -> HttpResponse:
    """Head Librarian and administrators edit loan rules; each names its clause."""
    rule = get_object_or_404(LoanRule, pk=rule_id) if rule_id else LoanRule(clause=LOAN_RULE_CLAUSE)
    form = LoanRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            save_loan_rule(_desk(request), form.save(commit=False))
        except CirculationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Loan rule saved."))
            return redirect("circulation:rules")
    return render(request, "circulation/rule_edit.html", {"form": form, "rule": rule})
