from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    """The policy registry: the library's adopted policies, their clauses and reasons."""

    name = "libdesk.policies"
    label = "policies"
