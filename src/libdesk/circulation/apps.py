from django.apps import AppConfig


class CirculationConfig(AppConfig):
    """Loan rules, loans, holds, requests, fees, notices and the board's figures."""

    name = "libdesk.circulation"
    label = "circulation"

    def ready(self) -> None:
        from libdesk.circulation import reasons  # noqa: F401  (registers decision codes)
