"""A real waitress server on a free loopback port, for the HTTP figures of the benchmarks."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def web_server(data_dir: str) -> Iterator[http.client.HTTPConnection]:
    """`libdesk serve_web` on DATA_DIR; yields a keep-alive connection to it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "libdesk", "serve_web", "--bind", "127.0.0.1", "--port", str(port)],
        env={**os.environ, "LIBDESK_DATA_DIR": data_dir},
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield http.client.HTTPConnection("127.0.0.1", port)
    finally:
        server.terminate()
        server.wait()


@contextmanager
def checkpointer(data_dir: str) -> Iterator[None]:
    """`libdesk checkpoint_wal`, as `libdesk run` starts it beside the web server on SQLite
    (on PostgreSQL, which checkpoints itself, nothing)."""
    if os.environ.get("LIBDESK_DATABASE_URL", "").startswith("postgres"):
        yield
        return
    process = subprocess.Popen(
        [sys.executable, "-m", "libdesk", "checkpoint_wal"],
        env={**os.environ, "LIBDESK_DATA_DIR": data_dir},
    )
    try:
        yield
    finally:
        process.terminate()
        process.wait()
