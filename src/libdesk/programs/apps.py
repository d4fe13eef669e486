from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    """Programs and events: what the library offers the community (storytimes, classes, book
    clubs, author talks), with fair registration (a first-come waitlist), calendar feeds, and
    registrations deleted a set time after the event."""

    name = "libdesk.programs"
    label = "programs"

    def ready(self) -> None:
        from libdesk.programs import patron_data, reasons  # noqa: F401  (registrations)
