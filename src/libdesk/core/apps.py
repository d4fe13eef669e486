from django.apps import AppConfig
from django.core import checks


class CoreConfig(AppConfig):
    """Cross-cutting pieces: decisions, the clock, rate limits, compiled statements."""

    name = "libdesk.core"
    label = "core"

    def ready(self) -> None:
        from libdesk.core import logfiles, ratelimit, retention
        from libdesk.core.checks import check_csrf_middleware
        from libdesk.core.statement_registry import check_statements

        ratelimit.connect_signals(self)
        retention.register_core_stores()
        logfiles.register_store()
        # Every command compiles every statement before it starts (statement_registry.py).
        checks.register(check_statements)
        checks.register(check_csrf_middleware, checks.Tags.security, deploy=True)
