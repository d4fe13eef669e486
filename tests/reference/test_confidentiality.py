"""A request for information is confidential (OP-02-01-01/confidential-requests): only the
librarian who claimed it, and librarians they shared it with to help answer it, read its text;
every look is audited; other librarians find nothing (404); other roles are told never
(403)."""

import pytest

from libdesk.accounts.models import StaffUser
from libdesk.audit.models import AuditEntry
from libdesk.reference.models import Question, QuestionShare
from tests.conftest import AVERY

pytestmark = pytest.mark.django_db
TEXT = "Is my neighbour allowed to cut my hedge?"


def _read(desk, who, question):
    return desk.get(who, f"/reference/questions/{question}")


def test_the_claimer_reads_the_text_and_contact(desk):
    question = desk.claimed("librarian", text=TEXT, contact_phone="807-555-0101")
    response = _read(desk, "librarian", question)
    assert response.status_code == 200
    assert (response.json()["text"], response.json()["contact_phone"]) == (TEXT, "807-555-0101")


@pytest.mark.parametrize("who", ["robin", "head"])
def test_another_librarian_and_the_head_librarian_find_nothing(desk, robin, who):
    question = desk.claimed("librarian", text=TEXT)
    assert _read(desk, who, question).status_code == 404
    assert _read(desk, who, 999999).status_code == 404  # the same answer as for none


@pytest.mark.parametrize("who", ["clerk", "privacy", "admin"])
def test_other_roles_are_told_never_not_even_the_queue(desk, who):
    question = desk.claimed("librarian", text=TEXT)
    response = _read(desk, who, question)
    assert response.status_code == 403
    assert response.json()["code"] == "role_not_permitted"
    assert desk.get(who, "/reference/queue").status_code == 403
    assert desk.post(who, "/reference/queue/claim-next").status_code == 403


@pytest.mark.parametrize("who", [None, AVERY])
def test_the_public_and_patrons_cannot_use_the_staff_doors(desk, who):
    question = desk.claimed("librarian", text=TEXT)
    assert _read(desk, who, question).status_code == 401
    assert desk.get(who, "/reference/queue").status_code == 401


def test_a_consulted_librarian_reads_it_but_does_not_answer_or_close(desk, robin, checker):
    question = desk.claimed("librarian", text=TEXT)
    shared = desk.post(
        "librarian",
        f"/reference/questions/{question}/consult",
        {"librarian_id": robin.pk, "reason": "subject_expertise"},
    )
    assert shared.status_code == 200
    assert _read(desk, "robin", question).json()["text"] == TEXT
    answered = desk.post("robin", f"/reference/questions/{question}/answer", {"text": "Facts."})
    assert answered.status_code == 403
    assert answered.json()["code"] == "context_not_permitted"
    assert (
        desk.post("robin", f"/reference/questions/{question}/close", {"effort": 1}).status_code
        == 403
    )
    share = QuestionShare.objects.get()
    assert (share.kind, share.reason, share.shared_with, share.shared_by.username) == (
        "consult",
        "subject_expertise",
        robin,
        "librarian",
    )


@pytest.mark.parametrize("username", ["clerk", "privacy", "librarian"])
def test_a_question_is_shared_only_with_another_librarian(desk, username):
    question = desk.claimed("librarian", text=TEXT)
    other = StaffUser.objects.get(username=username)
    refused = desk.post(
        "librarian",
        f"/reference/questions/{question}/consult",
        {"librarian_id": other.pk, "reason": "workload"},
    )
    assert refused.status_code == 409
    decision = refused.json()["decision"]
    assert decision["code"] == "reference_share_librarians_only"
    assert [c["id"] for c in decision["clauses"]] == ["OP-02-01-01/confidential-requests"]
    assert not QuestionShare.objects.exists()


def test_a_transfer_moves_the_claim(desk, robin):
    question = desk.claimed("librarian", text=TEXT)
    moved = desk.post(
        "librarian",
        f"/reference/questions/{question}/transfer",
        {"librarian_id": robin.pk, "reason": "absence"},
    )
    assert moved.status_code == 200
    assert Question.objects.get(pk=question).claimed_by == robin
    assert _read(desk, "robin", question).json()["claimed_by_me"] is True
    assert _read(desk, "librarian", question).status_code == 404


def test_every_look_at_the_text_is_audited_by_id_and_code_only(desk, robin):
    question = desk.claimed("librarian", text=TEXT)
    desk.post(
        "librarian",
        f"/reference/questions/{question}/consult",
        {"librarian_id": robin.pk, "reason": "language"},
    )
    _read(desk, "librarian", question)
    _read(desk, "librarian", question)
    _read(desk, "robin", question)
    _read(desk, "head", question)  # not found: nothing read, nothing recorded
    reads = AuditEntry.objects.filter(action="reference.read", object_id=str(question))
    assert [(e.actor_id, e.reason, e.data_kind) for e in reads.order_by("seq")] == [
        (str(StaffUser.objects.get(username="librarian").pk), "claimed", "reference_question"),
        (str(StaffUser.objects.get(username="librarian").pk), "claimed", "reference_question"),
        (str(robin.pk), "shared", "reference_question"),
    ]
    share = AuditEntry.objects.get(action="reference.share")
    assert share.reason == f"consult language staff:{robin.pk}"
    every_value = " ".join(str(v) for e in AuditEntry.objects.all() for v in e.__dict__.values())
    assert "hedge" not in every_value


def test_a_linked_questions_reads_show_in_the_patrons_access_log(desk):
    asked = desk.ask(TEXT, who=AVERY, link_to_my_account=True)
    desk.post("librarian", f"/reference/questions/{asked['id']}/claim")
    _read(desk, "librarian", asked["id"])
    log = desk.get(AVERY, "/me/access-log").json()
    [read] = [line for line in log if line["data_kind"] == "reference_question"]
    assert (read["role"], read["what"]) == ("librarian", "your question to a librarian")
    entry = AuditEntry.objects.get(action="reference.read")
    assert entry.patron_id == Question.objects.get().patron_id
