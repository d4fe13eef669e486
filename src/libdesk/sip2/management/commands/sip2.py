"""`libdesk sip2`: the self-check kiosk server (SIP2 2.00) in the foreground."""

from __future__ import annotations

import asyncio

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection

from libdesk.core.addresses import is_loopback
from libdesk.library.selectors import the_library
from libdesk.sip2.server import Limits, Server, tls_context


class Command(BaseCommand):
    help = "Run the SIP2 server for self-check kiosks (loopback, port 6001, unless told)."

    def add_arguments(self, parser: CommandParser) -> None:
        sip2 = settings.LIBDESK
        parser.add_argument("--port", type=int, default=sip2["SIP2_PORT"], help="default 6001")
        parser.add_argument(
            "--bind", default=sip2["SIP2_BIND"], help="address to listen on (LIBDESK_SIP2_BIND)"
        )

    def handle(self, *args: object, port: int, bind: str, **_: object) -> None:
        sip2 = settings.LIBDESK
        tls = self._tls(sip2)
        self._check_can_serve(bind, tls is not None)
        limits = Limits(
            max_frame=sip2["SIP2_MAX_FRAME"],
            login_seconds=sip2["SIP2_LOGIN_SECONDS"],
            idle_seconds=sip2["SIP2_IDLE_SECONDS"],
            max_connections=sip2["SIP2_MAX_CONNECTIONS"],
            max_per_address=sip2["SIP2_MAX_CONNECTIONS_PER_ADDRESS"],
            workers=1 if connection.vendor == "sqlite" else 8,
        )

        def ready(where: str) -> None:
            over = " (TLS)" if tls else ""
            self.stdout.write(f"SIP2 server listening on {where}{over}")
            self.stdout.flush()

        try:
            asyncio.run(Server(limits, tls).serve(bind, port, ready))
        except OSError as error:
            raise CommandError(
                f"the SIP2 server cannot listen on {bind}:{port} ({error})"
            ) from error
        except KeyboardInterrupt:
            self.stdout.write("SIP2 server stopped.")

    def _tls(self, sip2: dict):
        cert, key = sip2["SIP2_TLS_CERT"], sip2["SIP2_TLS_KEY"]
        if bool(cert) != bool(key):
            raise CommandError(
                "set both LIBDESK_SIP2_TLS_CERT and LIBDESK_SIP2_TLS_KEY, or neither"
            )
        try:
            return tls_context(cert, key)
        except (OSError, ValueError) as error:
            raise CommandError(f"the SIP2 certificate or key cannot be read ({error})") from error

    def _check_can_serve(self, bind: str, tls: bool) -> None:
        try:
            library = the_library()
        except DatabaseError as error:
            raise CommandError(
                f"libdesk cannot read its database ({error}): has `libdesk migrate` been run?"
            ) from error
        connection.close()
        if is_loopback(bind):
            return
        if library is not None and library.is_demo:
            raise CommandError(
                f"This is a demo library, whose PINs are published; its kiosk server listens on "
                f"loopback only, not on {bind}."
            )
        if not tls:
            raise CommandError(
                f"Listening on {bind} needs TLS (LIBDESK_SIP2_TLS_CERT and LIBDESK_SIP2_TLS_KEY), "
                f"so PINs never cross the network in clear."
            )
