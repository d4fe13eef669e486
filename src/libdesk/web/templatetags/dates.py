"""The `date` filter every template uses, loaded as a template builtin (settings.TEMPLATES) in
place of Django's: the same formats, plus French's "1er" for the first day of a month
("1er janvier 2027", never "1 janvier 2027")."""

from django import template
from django.template.defaultfilters import date as django_date
from django.utils import formats

from libdesk.core.dates import first_of_month

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    if value in (None, ""):
        return ""
    name = arg or "DATE_FORMAT"
    format_string = formats.get_format(name) if name.endswith("_FORMAT") else name
    return django_date(value, first_of_month(value, format_string))
