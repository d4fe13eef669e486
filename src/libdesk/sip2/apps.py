from django.apps import AppConfig


class Sip2Config(AppConfig):
    """Self-check kiosks: terminal accounts and the SIP2 server, a door like the web and the
    API onto the same circulation and patron services."""

    name = "libdesk.sip2"
    label = "sip2"

    def ready(self) -> None:
        from libdesk.sip2 import reasons  # noqa: F401  (registrations)
