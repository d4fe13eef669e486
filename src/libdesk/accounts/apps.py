from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Staff accounts and their roles. Patrons are not Django users: see the patrons app."""

    name = "libdesk.accounts"
    label = "accounts"
