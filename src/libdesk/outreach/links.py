"""Links outreach hands out: the new-arrivals feeds' addresses, and the unsubscribe link's
token.

The unsubscribe token: the recipient's id sealed (one AES block and an HMAC) with keys derived
from the secret key, so it cannot be guessed, made for someone else, or read (a link passed
on or logged does not say whose it is); it needs no stored secret and works without signing
in, in every issue the recipient gets. A token made under a key in
LIBDESK_SECRET_KEY_FALLBACKS still works while that key is listed."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlencode

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from libdesk.catalog.models import MaterialType
from libdesk.patrons.models import Patron

UNSUBSCRIBE_SALT = "libdesk.outreach.unsubscribe"


def _keys(key: str) -> tuple[bytes, bytes]:
    """An encryption key and a MAC key for the unsubscribe link, derived from one secret."""
    digest = hashlib.sha512(f"{UNSUBSCRIBE_SALT}:{key}".encode()).digest()
    return digest[:32], digest[32:]


def _secrets() -> list[str]:
    """The current key first (it seals), then the fallbacks (they still open)."""
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def unsubscribe_token(patron_id: int) -> str:
    """43 characters: the id as one AES block (a permutation under the library's key, so
    the same patron always gets the same link), and a 16-byte MAC of that block."""
    crypt_key, mac_key = _keys(_secrets()[0])
    block = patron_id.to_bytes(16, "big")
    sealed = Cipher(algorithms.AES(crypt_key), modes.ECB()).encryptor().update(block)  # noqa: S305  (one block: a keyed permutation, nothing to pattern)
    tag = hmac.new(mac_key, sealed, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(sealed + tag).decode().rstrip("=")


def patron_for_token(token: str) -> int | None:
    """The patron a token names, or None for a token not made here or a closed account."""
    if not token or len(token) != 43:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=")
    except (ValueError, TypeError):
        return None
    sealed, tag = raw[:16], raw[16:]
    for secret in _secrets():
        crypt_key, mac_key = _keys(secret)
        if hmac.compare_digest(hmac.new(mac_key, sealed, hashlib.sha256).digest()[:16], tag):
            block = Cipher(algorithms.AES(crypt_key), modes.ECB()).decryptor().update(sealed)  # noqa: S305
            patron_id = int.from_bytes(block, "big")
            return patron_id if Patron.objects.filter(pk=patron_id).exists() else None
    return None


def feed_links(subject: str = "", material_type: str = "") -> list[dict[str, str]]:
    """The `<link rel="alternate">` of the feeds for a subject, a format, or everything."""
    query, what = "", _("New arrivals")
    if subject:
        query = "?" + urlencode({"subject": subject})
        what = _("New arrivals: %(subject)s") % {"subject": subject}
    elif material_type in MaterialType.values:
        query = "?" + urlencode({"format": material_type})
        what = _("New arrivals: %(format)s") % {"format": MaterialType(material_type).label}
    return [
        {
            "type": "application/rss+xml",
            "href": reverse("outreach:rss") + query,
            "title": _("%(feed)s (RSS)") % {"feed": what},
        },
        {
            "type": "application/atom+xml",
            "href": reverse("outreach:atom") + query,
            "title": _("%(feed)s (Atom)") % {"feed": what},
        },
    ]
