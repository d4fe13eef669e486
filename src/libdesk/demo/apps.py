from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo library: Kenora Public Library with invented people, for trying libdesk out."""

    name = "libdesk.demo"
    label = "demo"
