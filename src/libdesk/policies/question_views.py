"""Asking why a policy exists (anyone), and answering (the Head Librarian's queue)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from libdesk.access.table import Role
from libdesk.accounts.decorators import staff_required
from libdesk.core.bounds import CODE_MAX
from libdesk.policies import questions
from libdesk.policies.forms import AnswerForm, AskWhyForm, ShareForm
from libdesk.policies.selectors import clause_in_force
from libdesk.web.decorators import rate_limited_form
from libdesk.web.form_errors import errors_by_label


@rate_limited_form("ask-why")
@require_POST
def ask(request: HttpRequest) -> HttpResponse:
    form = AskWhyForm(request.POST)
    clause_id = request.POST.get("clause", "")
    clause = clause_in_force(clause_id) if len(clause_id) <= CODE_MAX * 3 else None
    if clause is None:
        raise Http404
    if form.is_valid():
        try:
            _question, key = questions.ask(
                clause.clause_id,
                form.cleaned_data["question"],
                contact_email=form.cleaned_data["contact_email"],
                language=get_language(),
            )
        except questions.QuestionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            link = request.build_absolute_uri(reverse("web:ask-why-answer", args=[key]))
            return render(
                request,
                "policies/asked.html",
                {
                    "link": link,
                    "emailed": bool(form.cleaned_data["contact_email"]),
                },
            )
    return render(
        request,
        "web/ask_why.html",
        {"clause": clause, "text": clause.in_language(), "form": form},
        status=422,
    )


@never_cache
def asker_view(request: HttpRequest, key: str) -> HttpResponse:
    question = questions.question_for_asker(key)
    if question is None:
        raise Http404
    response = render(request, "policies/asker_view.html", {"question": question})
    response["Cache-Control"] = "no-store"
    return response


@staff_required(roles=[Role.HEAD_LIBRARIAN, Role.LIBRARIAN])
def question_detail(request: HttpRequest, question_id: int) -> HttpResponse:
    question = questions.open_question(request.user, request.workstation, question_id)
    if question is None:
        raise Http404
    is_head = request.user.role == Role.HEAD_LIBRARIAN
    return render(
        request,
        "policies/question.html",
        {
            "question": question,
            "clause": clause_in_force(question.clause_id),
            "answer_form": AnswerForm(),
            "share_form": ShareForm(librarians=questions.librarians_to_share_with())
            if is_head
            else None,
            "shares": question.shares.select_related("librarian"),
        },
    )


@staff_required(roles=[Role.HEAD_LIBRARIAN, Role.LIBRARIAN])
@require_POST
def question_act(request: HttpRequest, question_id: int, action: str) -> HttpResponse:
    question = questions.open_question(request.user, request.workstation, question_id)
    if question is None:
        raise Http404
    try:
        if action == "answer":
            form = AnswerForm(request.POST)
            if form.is_valid():
                questions.answer(
                    request.user, request.workstation, question, form.cleaned_data["answer"]
                )
                messages.success(request, _("Answer recorded."))
        elif action == "share" and request.user.role == Role.HEAD_LIBRARIAN:
            form = ShareForm(request.POST, librarians=questions.librarians_to_share_with())
            if form.is_valid():
                questions.share(
                    request.user, request.workstation, question, form.cleaned_data["librarian"]
                )
                messages.success(request, _("Question shared."))
        else:
            raise Http404
    except questions.QuestionError as error:
        messages.error(request, error.message)
    if form.errors:
        messages.error(request, _form_errors(form))
    return redirect("questions:detail", question_id=question.pk)


def _form_errors(form) -> str:
    """Each error with the label of the field it is about, for a message after a redirect."""
    return " ".join(errors_by_label(form))
