"""`libdesk demo load`: the demo library, and refusing to overwrite a real one."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from libdesk.access.table import Role
from libdesk.accounts.models import StaffUser
from libdesk.core.models import RateLimitRule
from libdesk.core.ratelimit import DEFAULT_RULES
from libdesk.library.models import Branch, Library
from libdesk.policies.models import Policy

pytestmark = pytest.mark.django_db(transaction=True)


def demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "load", *args, stdout=out)
    return out.getvalue()


def test_demo_load_creates_the_kenora_library():
    assert "Demo library loaded" in demo()
    library = Library.objects.get()
    assert library.name == "Kenora Public Library" and library.is_demo
    assert sorted(Branch.objects.values_list("code", "name")) == [
        ("KEEW", "Keewatin"),
        ("MAIN", "Main"),
    ]
    assert Branch.objects.get(code="MAIN").hours.count() == 6
    policy = Policy.objects.get(number="OP-02-01-01")
    assert policy.translation("fr").official is False
    assert dict(StaffUser.objects.values_list("username", "role")) == {
        "head": Role.HEAD_LIBRARIAN,
        "librarian": Role.LIBRARIAN,
        "clerk": Role.CLERK,
        "privacy": Role.PRIVACY_OFFICER,
        "admin": Role.ADMINISTRATOR,
    }
    assert StaffUser.objects.get(username="clerk").check_password("libdesk-demo")
    assert StaffUser.objects.get(username="clerk").password.startswith("argon2")


def test_demo_load_sets_up_the_self_check_kiosk():
    from libdesk.demo.loader import sign_ins
    from libdesk.sip2.models import MESSAGES, Terminal
    from libdesk.sip2.services import log_in

    demo()
    kiosk = Terminal.objects.get()
    assert (kiosk.login, kiosk.institution, kiosk.branch.code) == ("kiosk", "KPL", "MAIN")
    assert kiosk.encoding == "utf-8" and kiosk.error_detection and kiosk.enabled
    assert not kiosk.pin_every_time and not kiosk.pin_not_required
    assert sorted(kiosk.messages) == sorted(MESSAGES) and "25" in kiosk.messages
    assert sorted(kiosk.patron_fields) == ["counts", "fees", "items", "name", "validity"]
    assert kiosk.password_hash.startswith("argon2")
    assert log_in("kiosk", "kiosk-demo").pk == kiosk.pk
    assert "kiosk terminal kiosk / kiosk-demo (SIP2, institution KPL)" in sign_ins()


def test_demo_load_refuses_a_library_that_already_holds_data():
    demo()
    Branch.objects.create(code="NEW", name="Added by staff", address="1 Road")
    with pytest.raises(CommandError, match=r"already holds a library\. Use --reset"):
        demo()
    assert Branch.objects.filter(code="NEW").exists()


def test_demo_load_if_empty_leaves_a_loaded_library_alone():
    demo()
    Branch.objects.create(code="NEW", name="Added by staff", address="1 Road")
    assert "was not loaded" in demo("--if-empty")
    assert Branch.objects.filter(code="NEW").exists()


def test_demo_load_reset_erases_and_reloads():
    demo()
    Branch.objects.create(code="NEW", name="Added by staff", address="1 Road")
    demo("--reset")
    assert not Branch.objects.filter(code="NEW").exists()
    assert Library.objects.count() == 1 and Policy.objects.count() == 1
    # reference rules come back after the erase
    assert set(RateLimitRule.objects.values_list("form", flat=True)) == set(DEFAULT_RULES)
