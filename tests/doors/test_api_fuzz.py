"""Schemathesis against the real server: every API operation, as anonymous, a patron and desk
staff, each example with a fresh token (so a revoked token or failed sign-ins never spoil the
next). Checked: no server error, only documented status codes and content types, and bodies
that match their documented schemas.

Examples are capped (FUZZ_EXAMPLES per operation and persona) so the run fits CI on SQLite.
Every failing operation is reported, not only the first, with the example that broke it.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("LIBDESK_FUZZ_EXAMPLES", "12"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _tokens() -> dict[str, Callable[[], str | None]]:
    """Each persona's way to a fresh bearer token (None: anonymous)."""
    from libdesk.accounts.models import StaffUser, Workstation
    from libdesk.api.tokens import issue_patron_token, issue_staff_token
    from libdesk.patrons.selectors import patron_by_card
    from tests.conftest import AVERY

    def patron() -> str:
        return issue_patron_token(patron_by_card(AVERY)).bearer

    def staff() -> str:
        clerk = StaffUser.objects.get(username="clerk")
        return issue_staff_token(clerk, Workstation.objects.get(name="MAIN-DESK-1")).bearer

    return {"anonymous": lambda: None, "patron": patron, "clerk": staff}


@pytest.fixture
def fuzzed_server(live_server, transactional_db, settings):
    """The demo library behind a live server; searches and sign-ins not rate-limited, since
    hundreds of examples come from one address."""
    from libdesk.core.models import RateLimitRule
    from libdesk.demo.loader import load_demo

    load_demo(with_catalogue=False)
    RateLimitRule.objects.update(attempts=1_000_000)
    settings.LIBDESK = {**settings.LIBDESK, "SEARCH_LIMIT": 1_000_000}
    return live_server.url


def test_every_api_operation_holds_to_its_description(fuzzed_server):
    schema = schemathesis.openapi.from_url(f"{fuzzed_server}/api/v1/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for persona, token in _tokens().items():
            problem = _fuzz(operation, fuzzed_server, token, CHECKS)
            if problem:
                # A first failure (an undocumented 401, say) hides what comes after it: say
                # apart whether this operation also answers server errors.
                crash = _fuzz(operation, fuzzed_server, token, [not_a_server_error])
                verdict = f"  and server errors:\n{crash}" if crash else "  (no server error)"
                failures.append(f"{operation.label} as {persona}:\n{problem}\n{verdict}")
    assert operations >= 20, f"only {operations} operations found in the OpenAPI description"
    if failures:
        pytest.fail(
            f"{len(failures)} operation x persona runs failed:\n\n" + "\n\n".join(failures),
            pytrace=False,
        )


def _fuzz(operation, base_url: str, token: Callable[[], str | None], checks: list) -> str | None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case) -> None:
        bearer = token()
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        case.call_and_validate(base_url=base_url, headers=headers, checks=checks)

    try:
        run()
    except (Exception, BaseExceptionGroup) as error:  # Schemathesis groups its failures
        return _summary(str(error) or type(error).__name__)
    return None


def _summary(text: str, lines: int = 16) -> str:
    """Schemathesis's report, without blank lines and schema dumps: what failed, the status
    received and documented, the body, and the request to reproduce it."""
    kept = [
        line.rstrip()
        for line in text.splitlines()
        if line.strip()
        and not line.strip().startswith(("{", "}", '"', "Schema at"))
        and "sub-exception" not in line
    ]
    shown = [f"    {line.strip()[:300]}" for line in kept[:lines]]
    return "\n".join(shown + (["    [...]"] if len(kept) > lines else []))
