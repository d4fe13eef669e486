"""The catalogue tests' independent reader: Debian's yaz-marcdump."""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.catalog.marcreading import lxml_rows
from tests.conftest import IN_CI


@pytest.fixture
def yaz_marcdump():
    """Debian's yaz-marcdump (package yaz): an independent MARC and MARCXML reader. Outside
    CI its absence skips the test and says so; in CI it fails."""
    found = shutil.which("yaz-marcdump")
    if found is None:
        message = "NOT RUN: yaz-marcdump not found (apt-get install -y yaz)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)

    def read(path: Path, kind: str) -> list[list[tuple]]:
        """yaz reads `path` (`marcxml` or `marc`) and writes MARCXML, which lxml reads."""
        done = subprocess.run(
            [found, "-i", kind, "-o", "marcxml", str(path)], capture_output=True, check=True
        )
        assert done.stderr == b""
        return lxml_rows(done.stdout)

    return read
