from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    """Ask a librarian: the confidential reference desk (questions from every channel, one
    first-come queue, answers that cite sources and are checked for opinions and
    recommendations, the consumer-information directory, figures for the board)."""

    name = "libdesk.reference"
    label = "reference"

    def ready(self) -> None:
        from libdesk.core import housekeeping
        from libdesk.reference import patron_data, reasons  # noqa: F401  (registrations)
        from libdesk.reference.services import release_claims_of

        housekeeping.on_staff_disabled(release_claims_of)
