"""`libdesk run`'s processes are observed as one (issue 17, "Observed"): the SIP2 server and
the web server are separate processes, and one scrape of /metrics counts both; /healthz and
/readyz answer for the load balancer; the shared metrics folder goes when libdesk stops."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.cli.test_libdesk_command import env_for, free_port, libdesk
from tests.sip2.server_process import Connection, login_body

pytestmark = [pytest.mark.slow, pytest.mark.once]

TOKEN = "run-metrics-token-0123456789abcdefghij"
DEADLINE_SECONDS = 90


def _get(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url)  # noqa: S310 - loopback only
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _wait_for(check, what: str):
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        try:
            if found := check():
                return found
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"never {what}")


def test_one_scrape_sums_the_web_and_kiosk_processes(tmp_path):
    data_dir = tmp_path / "library"
    data_dir.mkdir()
    libdesk(data_dir, "migrate", "--no-input")
    libdesk(data_dir, "demo", "load")
    web_port, sip2_port = free_port(), free_port()
    metrics_dir = tmp_path / "metrics"  # the operator's own folder, emptied at start
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"from an earlier run")
    env = {
        **env_for(data_dir),
        "LIBDESK_METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    command = [sys.executable, "-m", "libdesk", "run", "--web-port", str(web_port)]
    process = subprocess.Popen(
        [*command, "--sip2-port", str(sip2_port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{web_port}"
    try:
        assert _wait_for(lambda: _get(f"{base}/healthz")[0] == 200, "answered /healthz")
        status, body = _get(f"{base}/readyz")
        assert status == 200 and '"ready": true' in body
        kiosk = _wait_for(lambda: Connection(sip2_port), "accepted a kiosk")
        kiosk.request(login_body())
        kiosk.request(login_body("kiosk", "not-its-password"))
        assert _get(f"{base}/metrics")[0] == 403
        status, text = _get(f"{base}/metrics", TOKEN)
        assert status == 200
        logins = re.findall(
            r'libdesk_request_duration_seconds_count\{door="sip2",method="SIP2",'
            r'route="93 login",status="answered"\} (\S+)',
            text,
        )
        assert logins == ["2.0"], text[-3000:]
        assert 'door="web",method="GET",route="healthz",status="2xx"' in text
        files = {path.name.split("_")[0] for path in metrics_dir.iterdir()}
        assert files == {"counter", "histogram"}
        assert not (metrics_dir / "counter_1.db").exists()
    finally:
        process.terminate()
        process.wait(timeout=DEADLINE_SECONDS)
    assert process.returncode == 0, process.stderr.read()
    assert Path(metrics_dir).is_dir()  # an operator's folder is theirs to keep
