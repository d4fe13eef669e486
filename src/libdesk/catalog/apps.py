from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """Bibliographic records (MARC kept as the source of truth), works, items, and search."""

    name = "libdesk.catalog"
    label = "catalog"

    def ready(self) -> None:
        """Saved lists join the registry of patron data (core.patron_data)."""
        from libdesk.catalog import patron_data  # noqa: F401  (registration)
