from django.apps import AppConfig


class LibraryConfig(AppConfig):
    """The library itself: its name, its branches and their opening hours, and where its
    e-mail goes."""

    name = "libdesk.library"
    label = "library"

    def ready(self) -> None:
        """The demo's mail files are deleted with the other stores kept only for a while."""
        from libdesk.library import mail

        mail.register_store()
