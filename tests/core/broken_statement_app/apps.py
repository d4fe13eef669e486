from django.apps import AppConfig


class BrokenStatementConfig(AppConfig):
    """Declares its statement when apps are ready, as a libdesk module would on import."""

    name = "tests.core.broken_statement_app"
    label = "broken_statement_app"

    def ready(self) -> None:
        from tests.core.broken_statement_app import statements  # noqa: F401
