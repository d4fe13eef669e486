"""What a listening address is, as the doors that bind one (`libdesk run`, `libdesk sip2`)
decide it: a demo library, or a kiosk server without TLS, stays on loopback."""

from __future__ import annotations

import ipaddress


def is_loopback(address: str) -> bool:
    """Whether `address` (a host name, an IPv4 address, or an IPv6 one with or without its
    brackets) reaches only this machine. Only "localhost" is taken on its name: any other
    name could resolve anywhere."""
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False
