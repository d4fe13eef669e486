"""The `date` filter every template uses, loaded as a template builtin (settings.TEMPLATES) in
place of Django's: the same formats, plus French's "1er" for the first day of a month
("1er janvier 2027", never "1 janvier 2027")."""

import re

from django import template
from django.template.defaultfilters import date as django_date
from django.utils import formats, timezone
from django.utils.translation import get_language

register = template.Library()

# A "j" (day of the month without a leading zero) that is not escaped with a backslash.
DAY = re.compile(r"(?<!\\)j")


def first_of_month(value, format_string: str) -> str:
    r"""The format string with "1er" for the day when it is French and the first of a month."""
    when = timezone.template_localtime(value) if hasattr(value, "hour") else value
    language = (get_language() or "").split("-")[0]
    if language != "fr" or getattr(when, "day", None) != 1:
        return format_string
    return DAY.sub(r"j\\e\\r", format_string)


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    if value in (None, ""):
        return ""
    name = arg or "DATE_FORMAT"
    format_string = formats.get_format(name) if name.endswith("_FORMAT") else name
    return django_date(value, first_of_month(value, format_string))
