"""Public policy pages: every adopted policy, its clauses and the reasons behind them."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from libdesk.policies import selectors


@require_GET
def policy_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "policies/list.html",
        {"policies": selectors.policies_in_force().order_by("number")},
    )


@require_GET
def policy_detail(request: HttpRequest, number: str, version: int | None = None) -> HttpResponse:
    policy = selectors.policy_for_page(number, version)
    if policy is None:
        raise Http404("no such policy")
    rules = selectors.rules_by_clause()
    clauses = [
        (clause, clause.in_language(), rules.get(clause.clause_id, []))
        for clause in policy.clauses.all()
    ]
    return render(
        request,
        "policies/detail.html",
        {
            "policy": policy,
            "translation": policy.translation(),
            "clauses": clauses,
            "versions": selectors.policy_versions(number),
        },
    )
