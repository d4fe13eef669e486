"""`libdesk policies import`: documents become versions; bad files change nothing."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from libdesk.core import clock
from libdesk.policies.models import Clause, Policy, PolicyStatus

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("policies", *args, stdout=out)
    return out.getvalue()


def test_import_registers_the_customer_service_policy_with_twelve_clauses(policy_file):
    assert "OP-02-01-01 v1: registered" in run("import", str(policy_file))
    policy = Policy.objects.get(number="OP-02-01-01")
    assert policy.status == PolicyStatus.IN_FORCE
    assert (policy.motion, policy.adopted_on, policy.review_years) == (
        "063-2019",
        date(2019, 11, 27),
        4,
    )
    assert policy.supersedes is None and policy.supersedes_number == "014-2015"
    assert [c.clause_id for c in policy.clauses.all()] == [
        f"OP-02-01-01/{slug}"
        for slug in (
            "purpose",
            "excellence",
            "equal-respect",
            "patrons-favour",
            "timely-or-alternatives",
            "policies-explained",
            "expectations-feedback",
            "equal-consideration",
            "confidentiality-identity",
            "confidentiality-loans",
            "confidential-requests",
            "facts-not-opinions",
        )
    ]
    french = policy.translation("fr")
    assert french is not None and french.official is False
    assert all(c.in_language("fr").why != c.why for c in policy.clauses.all())


def test_importing_the_same_file_again_changes_nothing(policy_file):
    run("import", str(policy_file))
    assert "v1: unchanged" in run("import", str(policy_file))
    assert Policy.objects.count() == 1


def test_a_new_version_supersedes_the_old_one_and_keeps_its_history(policy_file, write_policy):
    run("import", str(policy_file))
    revised = write_policy(adopted="2024-01-15", motion="004-2024")
    output = run("import", str(revised))
    assert "OP-02-01-01 v2: new version; supersedes OP-02-01-01 v1" in output
    old, new = Policy.objects.order_by("version")
    assert old.status == PolicyStatus.SUPERSEDED and new.status == PolicyStatus.IN_FORCE
    assert new.supersedes == old and new.motion == "004-2024"
    assert Clause.objects.filter(policy=old).count() == 12  # the old text is kept whole


def test_a_policy_can_supersede_another_registered_policy(policy_file, write_policy):
    run("import", str(policy_file))
    successor = write_policy(
        "successor.yaml", number="OP-02-01-02", supersedes="OP-02-01-01", adopted="2025-03-01"
    )
    run("import", str(successor))
    old = Policy.objects.get(number="OP-02-01-01")
    new = Policy.objects.get(number="OP-02-01-02")
    assert old.status == PolicyStatus.SUPERSEDED
    assert new.supersedes == old and new.supersedes_number == ""


def test_an_older_text_cannot_supersede_a_newer_version(policy_file, write_policy):
    run("import", str(write_policy("new.yaml", adopted="2024-01-15")))
    with pytest.raises(CommandError, match="cannot be superseded by an older text"):
        run("import", str(policy_file))


def test_malformed_yaml_names_the_line(write_policy):
    bad = write_policy(text="number: OP-1\ntitle: [unclosed\nsection: x\n")
    with pytest.raises(CommandError, match=r"line \d+: not valid YAML"):
        run("import", str(bad))
    assert not Policy.objects.exists()


def test_a_missing_field_names_its_line_and_field(write_policy, policy_file):
    text = policy_file.read_text()
    start = text.index("  - id: patrons-favour")
    line = text[:start].count("\n") + 1
    broken = text.replace(
        "    why: Rules cannot foresee every situation.",
        "    reason: Rules cannot foresee every situation.",
    )
    bad = write_policy(text=broken)
    with pytest.raises(CommandError) as caught:
        run("import", str(bad))
    message = str(caught.value)
    assert f"line {line}" in message or f"line {line + 5}" in message, message
    assert "clauses[3]" in message
    assert "Nothing was imported" in message


def test_a_wrong_value_names_its_line_and_field(write_policy):
    bad = write_policy(adopted="27 November 2019")
    with pytest.raises(CommandError, match=r"line \d+: adopted: "):
        run("import", str(bad))


def test_a_repeated_clause_id_is_refused(write_policy, policy_file):
    text = policy_file.read_text().replace("  - id: excellence", "  - id: purpose")
    with pytest.raises(CommandError, match=r"clauses\[1\]\.id: 'purpose' is used twice"):
        run("import", str(write_policy(text=text)))


def test_one_bad_file_among_several_imports_none(policy_file, write_policy):
    bad = write_policy("bad.yaml", review_every_years=0)
    with pytest.raises(CommandError, match="review_every_years"):
        run("import", str(policy_file), str(bad))
    assert not Policy.objects.exists()


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="cannot read the file"):
        run("import", str(tmp_path / "nope.yaml"))


def test_reviewed_records_a_review_and_moves_the_next_review(policy_file):
    run("import", str(policy_file))
    with clock.travel_to(date(2026, 11, 28)):
        output = run("reviewed", "OP-02-01-01", "--date", "2026-11-20", "--motion", "071-2026")
    assert "next review 2030-11-20" in output
    policy = Policy.objects.get()
    assert policy.last_reviewed_on == date(2026, 11, 20)
    assert policy.reviews.get().motion == "071-2026"
    assert policy.version == 1  # a review is not a new version


@pytest.mark.parametrize(
    ("number", "day", "message"),
    [
        ("OP-99", "2026-01-01", "no policy numbered 'OP-99' is in force"),
        ("OP-02-01-01", "2027-01-01", "is in the future"),
        ("OP-02-01-01", "2019-01-01", "before the adoption date"),
        ("OP-02-01-01", "yesterday", "is not a date"),
    ],
)
def test_reviewed_refuses_impossible_reviews(policy_file, number, day, message):
    run("import", str(policy_file))
    with clock.travel_to(date(2026, 11, 28)), pytest.raises(CommandError, match=message):
        run("reviewed", number, "--date", day)


def test_reviewed_refuses_a_motion_that_is_not_a_motion_number(policy_file):
    """The motion goes into the audit log, which takes codes and numbers only, never words."""
    run("import", str(policy_file))
    with clock.travel_to(date(2026, 11, 28)):
        with pytest.raises(CommandError, match="'board meeting' is not a board motion number"):
            run("reviewed", "OP-02-01-01", "--date", "2026-11-20", "--motion", "board meeting")
        assert not Policy.objects.get().reviews.exists()  # nothing half-recorded
        run("reviewed", "OP-02-01-01", "--date", "2026-11-20", "--motion", "#063-2019")


def test_due_reports_the_demo_policy_as_overdue(demo_library):
    import json

    with clock.travel_to(date(2026, 11, 28)):
        due = json.loads(run("due", "--json"))
    assert due == [
        {
            "number": "OP-02-01-01",
            "title": "Customer Service",
            "next_review": "2023-11-27",
            "days_overdue": 1097,
            "comments": {"count": 0, "comments": []},
        }
    ]


def test_due_lists_a_review_only_when_it_is_near(demo_library):
    with clock.travel_to(date(2026, 11, 28)):
        run("reviewed", "OP-02-01-01", "--date", "2026-11-01")
        assert "No policy is due for review within 90 days" in run("due")
        assert "next review 2030-11-01 (due in 1434 days)" in run("due", "--within", "1500")


def test_registering_and_reviewing_are_audited(policy_file):
    from libdesk.audit.models import AuditEntry

    run("import", str(policy_file))
    with clock.travel_to(date(2026, 11, 28)):
        run("reviewed", "OP-02-01-01", "--date", "2026-11-20", "--motion", "071-2026")
    assert list(AuditEntry.objects.values_list("action", "object_id", "reason")) == [
        ("policy.register", "OP-02-01-01 v1", ""),
        ("policy.review", "OP-02-01-01 v1", "071-2026"),
    ]
