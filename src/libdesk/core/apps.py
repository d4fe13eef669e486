from django.apps import AppConfig
from django.core import checks


class CoreConfig(AppConfig):
    """Cross-cutting pieces: decisions, the clock, rate limits, compiled statements."""

    name = "libdesk.core"
    label = "core"

    def ready(self) -> None:
        from libdesk.core import logfiles, lookups, ratelimit, retention
        from libdesk.core.checks import check_csrf_middleware
        from libdesk.core.planner import check_autovacuum
        from libdesk.core.statement_registry import check_statements

        lookups.register()
        ratelimit.connect_signals(self)
        retention.register_core_stores()
        logfiles.register_store()
        # Every command compiles every statement before it starts (statement_registry.py).
        checks.register(check_statements)
        checks.register(check_csrf_middleware, checks.Tags.security, deploy=True)
        checks.register(check_autovacuum, deploy=True)  # not Tags.database: always run
