from django.apps import AppConfig


class RightsConfig(AppConfig):
    """Patrons' rights: download my data, ask for a correction, close my account; and the
    registration of the patron data kept by apps that cannot register it themselves."""

    name = "libdesk.rights"
    label = "rights"

    def ready(self) -> None:
        from libdesk.rights import patron_data, reasons  # noqa: F401  (registrations)
