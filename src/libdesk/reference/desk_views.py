"""The reference desk for staff: the queue (channel, topic and age only), taking the oldest
question, a question's own page for the librarian who claimed it or was consulted on it,
sharing, answering with sources (checked for opinions, advice and recommendations), closing;
the desk's entry of questions asked in person, by phone or by e-mail; the directory of
consumer information; the board's figures. Views fetch, call a service or selector, render."""

from django.contrib import messages
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from libdesk.access.table import DESK_ROLES, REFERENCE_ROLES, Role
from libdesk.accounts.decorators import staff_required
from libdesk.core.decisions import Refused
from libdesk.core.errors import InputError
from libdesk.core.figures import FigureGroup, FigureRow
from libdesk.reference import directory, selectors, services
from libdesk.reference.forms import (
    EFFORT,
    AnswerForm,
    CloseForm,
    DirectorySourceForm,
    FiguresForm,
    ShareForm,
    StaffEntryForm,
)
from libdesk.reference.models import Channel, Status, Topic
from libdesk.web.figures_page import Figures, chosen_period, csv_answer, page_context
from libdesk.web.form_errors import add_service_error, errors_by_label

ACTIONS = ("consult", "transfer", "answer", "close")


@staff_required(roles=REFERENCE_ROLES)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The questions waiting, oldest first, and this librarian's own: never a text or a
    contact, nor who asked."""
    return render(
        request,
        "reference/queue.html",
        {
            "waiting": selectors.queue(request.user),
            "mine": selectors.my_questions(request.user),
            "channels": dict(Channel.choices),
            "topics": dict(Topic.choices),
            "statuses": dict(Status.choices),
        },
    )


@staff_required(roles=REFERENCE_ROLES)
@require_POST
def claim_next(request: HttpRequest) -> HttpResponse:
    """Take the oldest question nobody has claimed (first come, first served)."""
    question = services.claim_next(request.user, request.workstation)
    if question is None:
        messages.info(request, _("No question is waiting."))
        return redirect("reference:queue")
    return redirect("reference:question", reference_id=question.pk)


def _page(request: HttpRequest, reference_id: int, status: int = 200, **forms) -> HttpResponse:
    """A question's page, for the librarian who claimed it or was consulted on it (the
    selector answers 404 to anyone else, and records each look)."""
    opened = selectors.question_for(request.user, request.workstation, reference_id)
    question = opened.question
    claimer = question.claimed_by_id == request.user.pk
    acting = claimer and question.status != Status.CLOSED
    language = question.language
    directory = selectors.consumer_sources()
    context = {
        "question": question,
        "claimer": claimer,
        "late": selectors.is_late(question),
        "channel": Channel(question.channel).label,
        "topic": Topic(question.topic).label,
        "shares": question.shares.all(),
        "share_form": forms.get("share_form") or (ShareForm(me=request.user) if acting else None),
        "answer_form": forms.get("answer_form")
        or (AnswerForm(directory=directory, initial={"language": language}) if acting else None),
        "close_form": forms.get("close_form") or (CloseForm() if acting else None),
        "findings": forms.get("findings"),
        "decision": forms.get("decision"),
        "errors": forms.get("errors", []),
    }
    return render(request, "reference/question.html", context, status=status)


@staff_required(roles=REFERENCE_ROLES)
@require_GET
def question(request: HttpRequest, reference_id: int) -> HttpResponse:
    return _page(request, reference_id)


@staff_required(roles=REFERENCE_ROLES)
@require_POST
def act(request: HttpRequest, reference_id: int, action: str) -> HttpResponse:
    """Consult, transfer, answer or close: each the service's, each refused with its reason."""
    if action not in ACTIONS:
        raise Http404
    if action == "answer":
        return _answer(request, reference_id)
    if action == "close":
        return _close(request, reference_id)
    return _share(request, reference_id, action)


def _share(request: HttpRequest, reference_id: int, action: str) -> HttpResponse:
    form = ShareForm(request.POST, me=request.user)
    if not form.is_valid():
        return _page(request, reference_id, 422, share_form=form, errors=errors_by_label(form))
    share = services.consult if action == "consult" else services.transfer
    try:
        share(
            request.user,
            request.workstation,
            reference_id,
            form.cleaned_data["librarian"].pk,
            form.cleaned_data["reason"],
        )
    except Refused as refused:
        messages.error(request, refused.decision.staff_reason)
        return redirect("reference:question", reference_id=reference_id)
    except InputError as error:
        add_service_error(form, error)
        return _page(request, reference_id, 422, share_form=form, errors=errors_by_label(form))
    if action == "transfer":
        messages.success(request, _("Question handed to the librarian."))
        return redirect("reference:queue")
    messages.success(request, _("The librarian may now read the question to help answer it."))
    return redirect("reference:question", reference_id=reference_id)


def _answer(request: HttpRequest, reference_id: int) -> HttpResponse:
    form = AnswerForm(request.POST, directory=selectors.consumer_sources())
    if not form.is_valid():
        return _page(request, reference_id, 422, answer_form=form, errors=errors_by_label(form))
    data = form.cleaned_data
    try:
        sent = services.answer(
            request.user,
            request.workstation,
            reference_id,
            data["text"],
            form.sources(),
            language=data["language"],
            send_anyway_reason=data["send_anyway_reason"],
            effort=data["effort"],
        )
    except Refused as refused:
        if refused.decision.code != "reference_answer_flagged":
            messages.error(request, refused.decision.staff_reason)
            return redirect("reference:question", reference_id=reference_id)
        findings = services.check_answer(data["text"], data["language"])
        return _page(
            request,
            reference_id,
            refused.status,
            answer_form=form,
            findings=findings,
            decision=refused.decision,
        )
    except InputError as error:
        add_service_error(form, error)
        return _page(request, reference_id, 422, answer_form=form, errors=errors_by_label(form))
    messages.success(request, _("Answer sent."))
    for warning in sent.findings.warnings:
        if not (warning.kind == "no_source" and form.sources()):
            messages.warning(request, str(warning.why))
    return redirect("reference:question", reference_id=reference_id)


def _close(request: HttpRequest, reference_id: int) -> HttpResponse:
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _page(request, reference_id, 422, close_form=form, errors=errors_by_label(form))
    try:
        services.close(request.user, request.workstation, reference_id, form.cleaned_data["effort"])
    except Refused as refused:
        messages.error(request, refused.decision.staff_reason)
        return redirect("reference:question", reference_id=reference_id)
    messages.success(request, _("Question closed; the asker's contact details were removed."))
    return redirect("reference:queue")


@staff_required(roles=DESK_ROLES)
def enter(request: HttpRequest) -> HttpResponse:
    """A question asked in person, by phone or by e-mail, entered at the desk."""
    form = StaffEntryForm(
        request.POST if request.method == "POST" else None,
        initial={"language": "en", "topic": "other"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _question, key = services.ask(
                data["channel"],
                data["text"],
                data["topic"],
                services.Contact(data["contact_email"], data["contact_phone"]),
                language=data["language"],
                staff=request.user,
                workstation=request.workstation,
            )
        except InputError as error:
            add_service_error(form, error)
        else:
            link = request.build_absolute_uri(reverse("reference:asked", args=[key]))
            return render(request, "reference/entered.html", {"link": link})
    status = 422 if form.is_bound else 200
    context = {"form": form, "errors": errors_by_label(form) if form.is_bound else []}
    return render(request, "reference/enter.html", context, status=status)


@staff_required(roles=[*DESK_ROLES, Role.ADMINISTRATOR])
@require_GET
def sources(request: HttpRequest) -> HttpResponse:
    """The directory of consumer information staff point to, by topic, in both languages;
    the librarians who curate it also see the retired sources and edit links."""
    by_topic: dict[str, list] = {}
    for source in selectors.consumer_sources().order_by("topic", "name_en"):
        by_topic.setdefault(Topic(source.topic).label, []).append(source)
    curator = request.user.role in REFERENCE_ROLES
    context = {
        "by_topic": by_topic,
        "curator": curator,
        "retired": list(directory.retired_sources()) if curator else [],
    }
    return render(request, "reference/sources.html", context)


@staff_required(roles=REFERENCE_ROLES)
def edit_source(request: HttpRequest, source_id: int | None = None) -> HttpResponse:
    """Add a source to the directory, or change or retire one (librarians curate it)."""
    source = directory.source_to_edit(request.user, source_id) if source_id else None
    initial = model_to_dict(source) if source else {"active": True}
    form = DirectorySourceForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            directory.save_source(
                request.user, request.workstation, directory.Entry(**form.cleaned_data), source_id
            )
        except InputError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The directory was saved."))
            return redirect("reference:sources")
    status = 422 if form.is_bound else 200
    context = {
        "form": form,
        "source": source,
        "errors": errors_by_label(form) if form.is_bound else [],
    }
    return render(request, "reference/edit_source.html", context, status=status)


def _figures(request: HttpRequest) -> Figures:
    """The chosen period and the board's figures for it, grouped and in words."""
    form = FiguresForm(request.GET or None)
    since, until = chosen_period(form)
    found = selectors.figures(request.user, since, until)
    questions = [_("Questions")]
    efforts = {str(level): str(words) for level, words in EFFORT}
    times = [
        (_("First response"), found["to_first_response"]),
        (_("Answer"), found["to_answer"]),
    ]
    groups = [
        FigureGroup(
            _("Questions asked, and those answered late"),
            _("Measure"),
            questions,
            [
                FigureRow(pgettext("questions", "Asked"), [found["questions"]]),
                FigureRow(_("Late (past the channel's target time)"), [found["late"]]),
            ],
        ),
        FigureGroup(
            _("Questions per channel"),
            _("Channel"),
            questions,
            [FigureRow(str(Channel(c).label), [n]) for c, n in found["by_channel"].items()],
        ),
        FigureGroup(
            _("Questions per topic"),
            _("Topic"),
            questions,
            [FigureRow(str(Topic(t).label), [n]) for t, n in found["by_topic"].items()],
        ),
        FigureGroup(
            _("Response times, in hours"),
            _("Time to"),
            [*questions, _("Median"), _("90th percentile")],
            [
                FigureRow(label, [t["count"], t["median_hours"], t["p90_hours"]])
                for label, t in times
            ],
            charted=(1, 2),
        ),
        FigureGroup(
            _("Effort, on the READ scale (1 a quick fact, 6 days of research)"),
            _("Effort"),
            questions,
            [FigureRow(efforts[level], [n]) for level, n in found["effort"].items()],
        ),
    ]
    return Figures(form, since, until, groups)


def _render_figures(request: HttpRequest, figures: Figures, status: int = 200) -> HttpResponse:
    totals = figures.groups[0].rows
    context = {
        **page_context(figures),
        "questions": totals[0].values[0],
        "late": totals[1].values[0],
    }
    return render(request, "reference/figures.html", context, status=status)


@staff_required(roles=[Role.HEAD_LIBRARIAN])
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    """The board's figures: counts per channel and topic, response times, effort, lateness,
    each as a chart and a table; nobody is named."""
    return _render_figures(request, _figures(request))


@staff_required(roles=[Role.HEAD_LIBRARIAN])
@require_GET
def figures_csv(request: HttpRequest) -> HttpResponse:
    """The same figures as CSV, for a spreadsheet; a wrong date is the page with its error."""
    found = _figures(request)
    return csv_answer(found, "reference", lambda status: _render_figures(request, found, status))
