from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The JSON API: one NinjaAPI that mounts each app's router under /api/v1/."""

    name = "libdesk.api"
    label = "api"

    def ready(self) -> None:
        """Stored replies name a loan: they go when the loan loses its patron, and after a
        day in any case (core.housekeeping and core.retention, so circulation never imports the
        API)."""
        from libdesk.api import idempotency
        from libdesk.core import housekeeping

        housekeeping.on_loan_unlinked(idempotency.forget_loan)
        idempotency.register_store()

        from libdesk.api import patron_data  # the patron's tokens join the registry

        patron_data.register_all()
