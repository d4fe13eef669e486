"""Decisions explain themselves the same way everywhere, in the caller's language."""

import re

import pytest

from libdesk.core.decisions import (
    SHORT_REASON_LIMIT,
    Alternative,
    AlternativeKind,
    Decision,
    Reason,
    Refused,
    register,
    registered_reasons,
)
from libdesk.policies.documents import read_policy_file

pytestmark = pytest.mark.django_db


def rate_limited() -> Decision:
    return Decision.refuse(
        "rate_limited",
        alternatives=(
            Alternative(AlternativeKind.REFERRAL, "Ask at the desk", {"branch": "MAIN"}),
        ),
        form="patron-sign-in",
        limit=10,
        window=10,
        minutes=7,
    )


def test_refusal_json_has_every_field_the_api_promises(demo_library):
    data = rate_limited().as_json("en")
    assert data["outcome"] == "refused"
    assert data["code"] == "rate_limited"
    assert data["clauses"] == [
        {"id": "OP-02-01-01/equal-consideration", "title": "Optimum service for all"}
    ]
    assert "try again in 7 minutes" in data["reason"]
    assert len(data["short_reason"]) <= SHORT_REASON_LIMIT
    assert "patron-sign-in" in data["staff_reason"]
    assert data["alternatives"] == [
        {"kind": "referral", "label": "Ask at the desk", "branch": "MAIN"}
    ]
    assert data["ask_why_url"] == "/ask-why/?clause=OP-02-01-01%2Fequal-consideration"


def test_refusal_json_speaks_french_when_asked(demo_library):
    data = rate_limited().as_json("fr")
    assert data["clauses"][0]["title"] == "Le meilleur service pour tous"
    assert "réessayer dans 7 minutes" in data["reason"]
    assert data["short_reason"].startswith("Trop de tentatives")


def test_an_unregistered_clause_shows_its_id_rather_than_failing(db):
    data = rate_limited().as_json("en")  # no policy registered in this database
    assert data["clauses"][0]["title"] == "OP-02-01-01/equal-consideration"


def test_raise_if_refused_carries_the_decision():
    with pytest.raises(Refused) as caught:
        rate_limited().raise_if_refused()
    assert caught.value.decision.code == "rate_limited"
    assert caught.value.status == 409


def test_unknown_codes_and_codes_without_clauses_are_rejected():
    with pytest.raises(LookupError):
        Decision.refuse("no_such_code")
    with pytest.raises(ValueError, match="names no policy clause"):
        register(Reason("orphan", (), "r", "s", "t"))


def test_every_decision_code_names_clauses_of_the_shipped_policy(policy_file):
    shipped = {f"OP-02-01-01/{c.id}" for c in read_policy_file(policy_file).clauses}
    assert registered_reasons(), "no decision code is registered"
    for code, reason in registered_reasons().items():
        unknown = set(reason.clauses) - shipped
        assert not unknown, f"{code} cites clauses the policy does not have: {unknown}"


class Wide(dict):
    """Every placeholder filled with a wide value (dates are ten characters)."""

    def __missing__(self, key: str) -> str:
        return "2026-12-31" if key in ("due", "expired", "renew_from") else "999"


FIELD = re.compile(r"{(\w+)}")


def _all_texts(code: str) -> str:
    reason = registered_reasons()[code]
    return " ".join(str(t) for t in (reason.reason, reason.short_reason, reason.staff_reason))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_short_reason_fits_a_kiosk_screen(language):
    for code in registered_reasons():
        params = Wide()
        make = Decision.allow if registered_reasons()[code].grant else Decision.refuse
        decision = make(code, **dict.fromkeys(FIELD.findall(_all_texts(code)), 999))
        from django.utils import translation

        with translation.override(language):
            raw = str(registered_reasons()[code].short_reason).format_map(params)
        assert len(raw) <= SHORT_REASON_LIMIT, f"{code} ({language}) is {len(raw)} long"
        assert decision.short_reason
