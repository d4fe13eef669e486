from django.apps import AppConfig


class LibraryConfig(AppConfig):
    """The library itself: its name, its branches and their opening hours."""

    name = "libdesk.library"
    label = "library"
