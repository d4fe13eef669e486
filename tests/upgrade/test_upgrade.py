"""A library made with release v0.1.0 (tests/upgrade/README.md) upgrades with this tree's
`libdesk migrate`: its loans and holds are still there, its audit chain verifies, and once
reindexed, search finds its records."""

import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.cli.test_libdesk_command import env_for

pytestmark = [pytest.mark.slow, pytest.mark.once]

HERE = Path(__file__).resolve().parent
# The upgraded library describes itself, run there with `libdesk shell -c`.
REPORT = """
import json
from libdesk.catalog.selectors import search
from libdesk.circulation.models import Hold, Loan
print(json.dumps({
    "loans": {l.item.barcode: l.patron.card_number
              for l in Loan.objects.filter(closed_at=None).select_related("item", "patron")},
    "holds": {h.patron.card_number: h.record.title
              for h in Hold.objects.select_related("patron", "record")},
    "found": sorted(r.title for r in search("boreal shield").records),
}))
"""


def libdesk(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "libdesk", *args],
        env=env_for(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"libdesk {' '.join(args)}: {done.stderr}"
    return done


@pytest.mark.parametrize("release", ["v0.1.0"])
def test_a_library_made_by_an_earlier_release_upgrades(release, tmp_path):
    expected = json.loads((HERE / release / "expected.json").read_text())
    assert f"v{expected['made_with']}" == release
    data_dir = tmp_path / "data"
    with tarfile.open(HERE / release / "library.tar.xz") as tar:
        tar.extractall(data_dir, filter="data")

    libdesk(data_dir, "migrate", "--no-input")
    verified = libdesk(data_dir, "audit", "verify")
    assert "audit log verifies" in verified.stdout
    reindexed = libdesk(data_dir, "catalog", "reindex")
    assert f"reindexed {len(expected['titles'])} records" in reindexed.stdout
    report = libdesk(data_dir, "shell", "-c", REPORT).stdout.strip().splitlines()[-1]

    there = json.loads(report)
    assert there["loans"] == expected["loans"]
    assert there["holds"] == expected["holds"]
    assert there["found"] == expected["titles"]
