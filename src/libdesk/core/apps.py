from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Cross-cutting pieces: decisions, the clock, rate limits."""

    name = "libdesk.core"
    label = "core"

    def ready(self) -> None:
        from libdesk.core import ratelimit

        ratelimit.connect_signals(self)
