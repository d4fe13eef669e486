"""Which listening addresses count as loopback for `libdesk run` and `libdesk sip2` (the doors'
own tests bind them: tests/cli/test_libdesk_command.py, tests/sip2/test_tls.py)."""

import pytest

from libdesk.core.addresses import is_loopback


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.0.2.1", False),
        ("library.example", False),
        ("localhost.example", False),
        ("", False),
    ],
)
def test_only_addresses_reaching_this_machine_are_loopback(address, loopback):
    assert is_loopback(address) is loopback
