from django.apps import AppConfig


class WebConfig(AppConfig):
    """The web shell: layout, shared templates, static files, language switching."""

    name = "libdesk.web"
    label = "web"
