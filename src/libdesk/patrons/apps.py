from django.apps import AppConfig


class PatronsConfig(AppConfig):
    """Patrons: cards, contact, language, category, guardians, PINs and consent."""

    name = "libdesk.patrons"
    label = "patrons"

    def ready(self) -> None:
        """Every kind of patron data this app keeps joins the registry (core.patron_data):
        the export, account closure and the retention purge reach it."""
        from libdesk.patrons import patron_data

        patron_data.register_all()
