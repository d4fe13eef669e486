"""Debian's nginx, with the committed configuration (docs/deploy/nginx-libdesk.conf; only its
ports and paths changed), terminates TLS in front of a real `libdesk run` set up as
docs/deployment.md says (LIBDESK_HTTPS, LIBDESK_TRUSTED_PROXY): a member of staff signs in
through it over https, http:// is sent to https://, the cookies are Secure, HSTS is on, and
libdesk counts each caller by the address nginx passes on, not by nginx's own (issue 17,
point 5). The web service runs one process per core by default, and says so."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.cli.test_libdesk_command import free_port, libdesk
from tests.conftest import IN_CI, REPO
from tests.library_run import LibraryRun
from tests.sip2.test_tls import self_signed

pytestmark = [pytest.mark.slow, pytest.mark.once]

NGINX = os.environ.get("LIBDESK_NGINX", "/usr/sbin/nginx")
TEMPLATE = REPO / "docs" / "deploy" / "nginx-libdesk.conf"
SEARCHES = 3  # LIBDESK_SEARCH_LIMIT for the run: the fourth search from one address is refused


def nginx_or_not_run() -> str:
    """Debian's nginx (apt-get install -y nginx). In CI its absence is a failure."""
    found = NGINX if Path(NGINX).exists() else shutil.which("nginx")
    if found:
        return found
    message = f"nginx not found at {NGINX} (apt-get install -y nginx)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(f"nginx test NOT RUN: {message}")


def substituted(template: str, changes: dict[str, tuple[str, int]]) -> str:
    """The template with each `old` replaced by `new`, where it occurs exactly `count` times:
    a changed template fails here rather than being tested in some other shape."""
    for old, (new, count) in changes.items():
        assert template.count(old) == count, f"{old!r} is not in the template {count} time(s)"
        template = template.replace(old, new)
    return template


def nginx_conf(folder: Path, site: str) -> Path:
    """A main configuration like Debian's /etc/nginx/nginx.conf, in the foreground, with its
    pid, logs and temporary files in `folder`, including the site (the test's copy)."""
    (folder / "libdesk.conf").write_text(site)
    for temp in ("body", "proxy"):
        (folder / temp).mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach the temp folders
    main = folder / "nginx.conf"
    main.write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\n"
        f"error_log {folder}/error.log warn;\n"
        "events { worker_connections 64; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        "    default_type application/octet-stream;\n"
        f"    access_log {folder}/access.log;\n"
        f"    client_body_temp_path {folder}/body;\n"
        f"    proxy_temp_path {folder}/proxy;\n"
        "    fastcgi_temp_path /dev/null; uwsgi_temp_path /dev/null; scgi_temp_path /dev/null;\n"
        f"    include {folder}/libdesk.conf;\n"
        "}\n"
    )
    return main


def wait_for_port(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} stopped: {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{what} never listened on {port}")


class Browser:
    """An https client trusting only the test certificate, keeping cookies like a browser,
    from one loopback address of its own (the address nginx passes on)."""

    def __init__(self, port: int, cafile: str, address: str = "127.0.0.1") -> None:
        self.port, self.address = port, address
        self.context = ssl.create_default_context(cafile=cafile)
        self.cookies: dict[str, str] = {}
        self.set_cookies: list[str] = []

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, form: dict | None = None, **headers: str):
        connection = http.client.HTTPSConnection(
            "127.0.0.1",
            self.port,
            context=self.context,
            source_address=(self.address, 0),
            timeout=60,
        )
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        content = response.read()
        connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.set_cookies.append(header)
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response, content.decode()

    def follow(self, method: str, path: str, form: dict | None = None):
        """The request, then each redirect it leads to (as GET), to the final answer."""
        response, content = self.request(method, path, form)
        for _ in range(5):
            if response.status not in (301, 302, 303):
                break
            location = response.headers["Location"]
            assert not location.startswith("http://"), location
            response, content = self.request("GET", location.removeprefix(self.origin))
        return response, content

    def cookie_header(self, name: str) -> str:
        return next(h for h in reversed(self.set_cookies) if h.startswith(f"{name}="))


def test_signing_in_through_nginx_over_tls(tmp_path_factory):
    nginx = nginx_or_not_run()
    data_dir = tmp_path_factory.mktemp("library")
    libdesk(data_dir, "migrate", "--no-input")
    libdesk(data_dir, "demo", "load")
    folder = tmp_path_factory.mktemp("nginx")
    cert, key = self_signed(folder)
    https_port, http_port, web_port = free_port(), free_port(), free_port()
    site = substituted(
        TEMPLATE.read_text(),
        {
            "listen 443 ssl;": (f"listen 127.0.0.1:{https_port} ssl;", 1),
            "listen 80;": (f"listen 127.0.0.1:{http_port};", 1),
            "https://$host$request_uri": (f"https://$host:{https_port}$request_uri", 1),
            "server 127.0.0.1:8000;": (f"server 127.0.0.1:{web_port};", 1),
            "/etc/ssl/libdesk/fullchain.pem": (cert, 1),
            "/etc/ssl/libdesk/privkey.pem": (key, 1),
        },
    )
    conf = nginx_conf(folder, site)
    checked = subprocess.run(
        [nginx, "-t", "-p", str(folder), "-c", str(conf)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr

    run = LibraryRun(
        data_dir,
        web_port,
        LIBDESK_HTTPS="1",
        LIBDESK_TRUSTED_PROXY="127.0.0.1",
        LIBDESK_SEARCH_LIMIT=str(SEARCHES),
    )
    proxy = subprocess.Popen(
        [nginx, "-p", str(folder), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        run.wait_for("Press Ctrl-C to stop.")
        wait_for_port(https_port, proxy, "nginx")

        # by default, one web process per core, and the start-up output says how many
        cores = len(os.sched_getaffinity(0))
        processes = f"{cores} process{'es' if cores != 1 else ''}"
        assert f"Web: {processes} of 2 threads each" in "".join(run.out)
        assert len(run.web_processes()) == cores

        # plain http:// is sent to the same address over https://
        plain = http.client.HTTPConnection("127.0.0.1", http_port, timeout=30)
        plain.request("GET", "/staff/sign-in/?next=/staff/")
        moved = plain.getresponse()
        assert moved.status == 301
        assert moved.headers["Location"] == (
            f"https://127.0.0.1:{https_port}/staff/sign-in/?next=/staff/"
        )

        staff = Browser(https_port, cert)
        page, content = staff.request("GET", "/staff/sign-in/")
        assert page.status == 200
        assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', content)[1]
        signed_in, content = staff.follow(
            "POST",
            "/staff/sign-in/",
            {
                "csrfmiddlewaretoken": token,
                "username": "head",
                "password": "libdesk-demo",
                "workstation": "MAIN-DESK-1",
            },
        )
        assert signed_in.status == 200, content[:2000]
        assert "Sign out" in content
        for name in ("csrftoken", "sessionid"):
            flags = {f.strip().lower() for f in staff.cookie_header(name).split(";")[1:]}
            assert {"secure", "httponly", "samesite=lax"} <= flags, (name, flags)
        # the session holds over https: the staff home again, as the same member of staff
        again, content = staff.request("GET", "/staff/")
        assert again.status == 200 and "Sign out" in content

        # libdesk counts searches per caller, by the address nginx passes on: one address
        # runs out, another (same nginx, same proxy address) does not, and a forged
        # X-Forwarded-For from the first does not get it round the limit
        first = Browser(https_port, cert, address="127.0.0.2")
        for _ in range(SEARCHES):
            assert first.request("GET", "/search/?q=history")[0].status == 200
        assert first.request("GET", "/search/?q=history")[0].status == 429
        forged = first.request("GET", "/search/?q=history", **{"X-Forwarded-For": "10.9.8.7"})
        assert forged[0].status == 429
        second = Browser(https_port, cert, address="127.0.0.3")
        assert second.request("GET", "/search/?q=history")[0].status == 200
    finally:
        proxy.send_signal(signal.SIGQUIT)  # nginx's graceful stop
        try:
            proxy.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proxy.kill()
            proxy.wait()
        assert run.stop() == 0
    errors = (folder / "error.log").read_text()
    assert "[emerg]" not in errors and "[crit]" not in errors, errors
