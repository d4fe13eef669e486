from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """Bibliographic records (MARC kept as the source of truth), works, items, and search."""

    name = "libdesk.catalog"
    label = "catalog"
