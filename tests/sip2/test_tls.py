"""SIP2 over TLS with the certificate and key from settings, and the rule that keeps PINs off
the network in clear: another address than loopback needs TLS, and a demo library never
leaves loopback."""

from __future__ import annotations

import ipaddress
import socket
import sqlite3
import ssl
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.cli.test_libdesk_command import env_for
from tests.sip2.server_process import (
    Server,
    copy_library,
    database,
    login_body,
    prepare_library,
)

pytestmark = [pytest.mark.slow, pytest.mark.once, pytest.mark.xdist_group("sip2-tls")]


def self_signed(folder) -> tuple[str, str]:
    """A throwaway certificate for 127.0.0.1, and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "libdesk test kiosk server")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "kiosk.pem", folder / "kiosk.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    return prepare_library(tmp_path_factory.mktemp("sip2-tls"))


def test_a_kiosk_logs_in_over_tls_and_a_plain_client_gets_nothing(library, tmp_path):
    cert, key = self_signed(tmp_path)
    env = {"LIBDESK_SIP2_TLS_CERT": cert, "LIBDESK_SIP2_TLS_KEY": key}
    with Server(library, **env) as server:
        assert any("(TLS)" in line for line in server.output)
        context = ssl.create_default_context(cafile=cert)
        with (
            socket.create_connection(("127.0.0.1", server.port), timeout=15) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1") as kiosk,
        ):
            assert kiosk.version() in ("TLSv1.2", "TLSv1.3")
            kiosk.sendall(login_body().encode() + b"\r")
            assert kiosk.recv(100) == b"941\r"
        with socket.create_connection(("127.0.0.1", server.port), timeout=15) as plain:
            plain.sendall(login_body().encode() + b"\r")
            try:
                answer = plain.recv(100)
            except ConnectionResetError:
                answer = b""
            assert not answer.startswith(b"94")  # no login in clear on the TLS port


def sip2_command(data_dir, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "libdesk", "sip2", *args],
        env={**env_for(data_dir), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_another_address_needs_tls_and_a_demo_library_stays_on_loopback(library, tmp_path):
    demo = sip2_command(library, "--bind", "0.0.0.0", "--port", "0")
    assert demo.returncode != 0 and "loopback only" in demo.stderr
    real = copy_library(library, tmp_path / "real")
    with sqlite3.connect(database(real)) as db:
        db.execute("UPDATE library_library SET is_demo = 0")
    clear = sip2_command(real, "--bind", "0.0.0.0", "--port", "0")
    assert clear.returncode != 0 and "needs TLS" in clear.stderr
    cert, _key = self_signed(tmp_path)
    half = sip2_command(real, "--port", "0", LIBDESK_SIP2_TLS_CERT=cert)
    assert half.returncode != 0 and "set both" in half.stderr
