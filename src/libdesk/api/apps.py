from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The JSON API: one NinjaAPI that mounts each app's router under /api/v1/."""

    name = "libdesk.api"
    label = "api"
