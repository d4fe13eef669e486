from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    """The policy registry: the library's adopted policies, their clauses and reasons."""

    name = "libdesk.policies"
    label = "policies"

    def ready(self) -> None:
        """Decisions name their clauses by title, from the registry (core imports no app)."""
        from libdesk.core.decisions import use_clause_titles
        from libdesk.policies.selectors import clause_titles

        use_clause_titles(clause_titles)
