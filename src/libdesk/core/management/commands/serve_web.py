"""`libdesk serve_web`: the web server alone; `libdesk run` starts it beside the worker."""

import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from waitress import serve

from libdesk.wsgi import application


def _interrupt(signum: int, frame: object) -> None:
    """End the server on SIGTERM the same way Ctrl-C does."""
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Serve the web pages and the API with waitress (used by `libdesk run`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", required=True)
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: object, bind: str, port: int, threads: int, **_: object) -> None:
        signal.signal(signal.SIGTERM, _interrupt)
        proxy = {}
        if settings.TRUSTED_PROXY:
            proxy = {
                "trusted_proxy": settings.TRUSTED_PROXY,
                "trusted_proxy_count": 1,
                "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
            }
        try:
            serve(
                application,
                host=bind,
                port=port,
                threads=threads,
                ident="libdesk",
                clear_untrusted_proxy_headers=True,
                _quiet=True,
                **proxy,
            )
        except KeyboardInterrupt:
            return
