from django.apps import AppConfig


class OutreachConfig(AppConfig):
    """Making the community aware of the library: announcements and newsletters to those who
    opted in, new-arrivals pages and feeds, organizations as patrons."""

    name = "libdesk.outreach"
    label = "outreach"

    def ready(self) -> None:
        from libdesk.outreach import patron_data, reasons  # noqa: F401  (registrations)
