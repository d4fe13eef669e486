"""Links outreach hands out: the new-arrivals feeds' addresses, and the unsubscribe link's
token.

The unsubscribe token: the recipient's id signed with the secret key (an HMAC, by
Django's signing), so it cannot be guessed or made for someone else, needs no stored secret,
and works without signing in, in every issue the recipient gets. A token made under a key in
LIBDESK_SECRET_KEY_FALLBACKS still works while that key is listed."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from libdesk.catalog.models import MaterialType
from libdesk.patrons.models import Patron

UNSUBSCRIBE_SALT = "libdesk.outreach.unsubscribe"


def unsubscribe_token(patron_id: int) -> str:
    return signing.dumps(patron_id, salt=UNSUBSCRIBE_SALT)


def patron_for_token(token: str) -> int | None:
    """The patron a token names, or None for a token not made here or a closed account."""
    try:
        patron_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(patron_id, int) or isinstance(patron_id, bool):
        return None
    return patron_id if Patron.objects.filter(pk=patron_id).exists() else None


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
            "title": f"{what} (RSS)",
        },
        {
            "type": "application/atom+xml",
            "href": reverse("outreach:atom") + query,
            "title": f"{what} (Atom)",
        },
    ]
