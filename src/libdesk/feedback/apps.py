from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    """Comments on how well the library meets its service expectations: anonymous or signed,
    triaged and answered by staff, tied to policy clauses, counted for the board."""

    name = "libdesk.feedback"
    label = "feedback"

    def ready(self) -> None:
        from libdesk.feedback import patron_data, reasons  # noqa: F401  (registrations)
