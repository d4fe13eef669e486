"""Import benchmark: the whole Library of Congress file through `libdesk catalog import`,
end to end (database + search index), in a fresh data directory.

    .venv/bin/python bench/import_bench.py [FILE] [--keep DIR] [--demo]

With --keep DIR the data directory is kept (for bench/search_bench.py). With --demo the demo
library is loaded first, so that circulation_bench.py and load_test.py can build on the
directory without importing again. LIBDESK_DATABASE_URL is passed on: with a PostgreSQL URL
(an empty database made for the run) the import goes there, and the data directory holds the
search index.

Prints records/s and the importer's peak RSS. Run by hand; never part of the test suite.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[2] / "shared/data/loc-books-2016-part01.mrc.xz"


def main(source: Path, keep: str | None, demo: bool) -> None:
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="libdesk-bench-") as scratch:
        data_dir = keep or scratch
        env = {k: v for k, v in os.environ.items() if not k.startswith("LIBDESK_")}
        env.update(LIBDESK_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="libdesk.settings")
        if os.environ.get("LIBDESK_DATABASE_URL"):
            env["LIBDESK_DATABASE_URL"] = os.environ["LIBDESK_DATABASE_URL"]
        print(f"database: {env.get('LIBDESK_DATABASE_URL', 'SQLite in the data dir')}")
        command = [sys.executable, "-m", "libdesk"]
        subprocess.run([*command, "migrate", "--no-input", "-v0"], env=env, check=True)
        if demo:
            subprocess.run([*command, "demo", "load"], env=env, check=True)
        started = time.perf_counter()
        done = subprocess.run(
            [*command, "catalog", "import", str(source)], env=env, capture_output=True, text=True
        )
        elapsed = time.perf_counter() - started
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(done.stdout.strip() or done.stderr.strip())
        read = int(re.search(r"read (\d+)", done.stdout).group(1))
        size = sum(f.stat().st_size for f in Path(data_dir).rglob("*") if f.is_file())
        print(f"records: {read:,}  wall: {elapsed:.1f} s  rate: {read / elapsed:,.0f} records/s")
        print(f"peak RSS of the importer: {peak_mib:,.0f} MiB  data dir: {size / 2**20:,.0f} MiB")


if __name__ == "__main__":
    args = sys.argv[1:]
    keep = args[args.index("--keep") + 1] if "--keep" in args else None
    files = [a for a in args if a not in ("--keep", "--demo") and a != keep]
    main(Path(files[0]) if files else DEFAULT, keep, "--demo" in args)
