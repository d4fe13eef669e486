"""Every decision a service can make is a registered code: a refusal with the clause behind it,
a grant with a clause only when one shaped it, all in both languages.

The raise sites are found by reading the source (ast), not by running it: a refusal on a path
no test walks would otherwise slip through. Decisions are made only by `Decision.refuse`,
`Decision.allow` and `Decision.override` with a literal code, so every `Refused` raised anywhere
carries a code checked here.
"""

from __future__ import annotations

import ast
import importlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polib
import pytest
from django.utils import translation
from django.utils.functional import Promise

import libdesk
from libdesk.core.decisions import Decision, registered_reasons
from libdesk.policies.documents import read_policy_file

SOURCE = Path(libdesk.__file__).parent
CATALOGUE = SOURCE / "locale" / "fr" / "LC_MESSAGES" / "django.po"
FACTORIES = {"refuse": False, "allow": True, "override": True}  # method -> makes a grant
PLACEHOLDER = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class Site:
    module: str
    line: int
    method: str
    code: str | None  # None: not a literal, so no reader can know it


def _modules() -> list[tuple[str, ast.Module]]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        relative = path.relative_to(SOURCE.parent).with_suffix("")
        found.append((".".join(relative.parts), ast.parse(path.read_text(), str(path))))
    return found


def _is_decision(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "Decision") or (
        isinstance(node, ast.Attribute) and node.attr == "Decision"
    )


def _codes(node: ast.expr | None) -> list[str | None]:
    """The code a factory is given: a literal, or either literal of a conditional."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _codes(node.body) + _codes(node.orelse)
    return [None]


def decision_sites() -> list[Site]:
    sites = []
    for module, tree in _modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            if node.func.attr not in FACTORIES or not _is_decision(node.func.value):
                continue
            given = node.args[0] if node.args else None
            given = next((k.value for k in node.keywords if k.arg == "code"), given)
            sites += [Site(module, node.lineno, node.func.attr, c) for c in _codes(given)]
    return sites


def made_directly() -> list[str]:
    """Decisions built without a factory would skip the checks (and this test)."""
    return [
        f"{module}:{node.lineno}"
        for module, tree in _modules()
        if module != "libdesk.core.decisions"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _is_decision(node.func)
    ]


def test_decisions_are_made_only_through_the_factories():
    assert made_directly() == []


def test_every_raise_site_names_a_literal_registered_code_of_its_kind():
    sites = decision_sites()
    for module in {site.module for site in sites}:
        importlib.import_module(module)  # registers the codes the module relies on
    registered = registered_reasons()
    # The reader really reads: the refusals this issue added are among the sites it found.
    found = {site.code for site in sites}
    assert {"renewal_would_not_extend", "no_loan_rule", "withdraw_on_loan"} <= found
    assert {"item_status_by_circulation", "override_not_permitted", "hold_ended"} <= found
    problems = []
    for site in sites:
        where = f"{site.module}:{site.line}"
        if site.code is None:
            problems.append(f"{where}: Decision.{site.method} needs a literal code")
        elif site.code not in registered:
            problems.append(f"{where}: {site.code!r} is not registered")
        elif registered[site.code].grant != FACTORIES[site.method]:
            problems.append(f"{where}: {site.code!r} is the wrong kind for {site.method}")
    assert problems == []


def test_every_refused_raise_carries_a_decision():
    """`Refused(...)` is given a decision (a factory call, or one made earlier), never a bare
    code or message."""
    bad = []
    for module, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Refused":
                given = node.args[0] if node.args else None
                if given is None or isinstance(given, (ast.Constant, ast.JoinedStr)):
                    bad.append(f"{module}:{node.lineno}")
    assert bad == []


def _all_codes_registered() -> dict:
    for site in decision_sites():
        importlib.import_module(site.module)
    return registered_reasons()


def _msgid(text: Promise) -> str:
    with translation.override("en"):
        return str(text)


def test_every_registered_code_speaks_french_with_the_same_placeholders():
    po = {e.msgid: e for e in polib.pofile(str(CATALOGUE)) if not e.obsolete}
    problems = []
    for code, reason in _all_codes_registered().items():
        for kind in ("reason", "short_reason", "staff_reason"):
            text = getattr(reason, kind)
            if not isinstance(text, Promise):
                problems.append(f"{code}.{kind} is not translatable")
                continue
            entry = po.get(_msgid(text))
            if entry is None or not entry.msgstr or "fuzzy" in entry.flags:
                problems.append(f"{code}.{kind} has no French")
            elif set(PLACEHOLDER.findall(entry.msgid)) != set(PLACEHOLDER.findall(entry.msgstr)):
                problems.append(f"{code}.{kind}: the French fills other placeholders")
    assert problems == []


def test_every_refusal_cites_clauses_of_the_shipped_policy(policy_file):
    shipped = {f"OP-02-01-01/{c.id}" for c in read_policy_file(policy_file).clauses}
    for code, reason in _all_codes_registered().items():
        assert reason.grant or reason.clauses, f"{code} refuses without a clause"
        assert set(reason.clauses) <= shipped, f"{code} cites clauses the policy lacks"


def test_a_code_is_used_only_as_its_kind():
    with pytest.raises(ValueError, match="is a grant"):
        Decision.refuse("checkout_granted")
    with pytest.raises(ValueError, match="is a refusal"):
        Decision.allow("renewal_limit", used=2, limit=2)


@pytest.mark.django_db
def test_a_grant_citing_no_clause_renders_with_an_empty_list(demo_library):
    data = Decision.allow("checkout_granted", due=date(2026, 12, 31)).as_json("fr")
    assert data["clauses"] == [] and data["outcome"] == "allowed"
    assert data["reason"] == "Prêté. À rendre le 31 décembre 2026."
    assert data["ask_why_url"] == "/ask-why/"  # the policies, since no clause is behind it


@pytest.mark.django_db
def test_a_refusal_about_another_cites_both_clauses_and_says_both(demo_library):
    cause = Decision.refuse("item_on_loan")
    data = Decision.refuse("not_overridable", cause=cause).as_json("en")
    assert [c["id"] for c in data["clauses"]] == [
        "OP-02-01-01/patrons-favour",
        "OP-02-01-01/timely-or-alternatives",
    ]
    assert data["reason"].startswith("This copy is already checked out to someone else")
    assert data["reason"].endswith("This is not something staff can set aside.")
    assert data["staff_reason"].startswith("No override applies here: The item has an open loan")


@pytest.mark.django_db
def test_dates_in_a_reason_read_as_words_in_the_readers_language(demo_library):
    """The reason says the date as pages do ("1er janvier 2027" in French), in the language
    it is rendered in; the decision keeps the date itself."""
    decision = Decision.allow("renewal_granted", due=date(2027, 1, 1))
    assert decision.as_json("fr")["reason"] == "Renouvelé. À rendre le 1er janvier 2027."
    assert decision.as_json("en")["reason"] == "Renewed. Due back on 1 January 2027."
    with translation.override("fr"):
        assert decision.short_reason == "Renouvelé, à rendre le 1er janvier 2027"
    assert decision.params["due"] == date(2027, 1, 1)
