"""Template filters for programs: an event's texts in the page's language."""

from django import template

register = template.Library()


@register.filter
def event_title(event, language: str) -> str:
    return event.title(language)


@register.filter
def event_description(event, language: str) -> str:
    return event.description(language)


@register.filter
def event_accessibility(event, language: str) -> str:
    return event.accessibility(language)


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key, key)
