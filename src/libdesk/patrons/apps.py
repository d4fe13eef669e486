from django.apps import AppConfig


class PatronsConfig(AppConfig):
    """Patrons: cards, contact, language, category, guardians and PINs."""

    name = "libdesk.patrons"
    label = "patrons"
