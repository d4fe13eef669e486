"""`{% access_log_in_words entries as lines %}`: the patron's access log in plain words on the
account page (patrons/access_log.py), so the page never shows the log's codes."""

from collections.abc import Iterable

from django import template

from libdesk.audit.models import AuditEntry
from libdesk.patrons.access_log import AccessLogLine, in_words

register = template.Library()


@register.simple_tag
def access_log_in_words(entries: Iterable[AuditEntry]) -> list[AccessLogLine]:
    return in_words(entries)
