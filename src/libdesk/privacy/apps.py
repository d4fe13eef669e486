from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Who may see or change what, in which context: the access table and serving contexts."""

    name = "libdesk.privacy"
    label = "privacy"
