from django.apps import AppConfig


class CirculationConfig(AppConfig):
    """Loan rules, loans, holds, requests, fees, notices, the reading history and the board's
    figures."""

    name = "libdesk.circulation"
    label = "circulation"

    def ready(self) -> None:
        """Decision codes, every kind of patron data circulation keeps (core.patron_data),
        and the reading history going when the patron withdraws consent for it."""
        from libdesk.circulation import (
            patron_data,
            reading_history,
            reasons,  # noqa: F401  (registers decision codes)
        )
        from libdesk.patrons.models import ConsentPurpose
        from libdesk.patrons.services import on_consent_withdrawn

        patron_data.register_all()
        on_consent_withdrawn(ConsentPurpose.READING_HISTORY, reading_history.forget)
