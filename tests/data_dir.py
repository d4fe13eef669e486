"""A pytest plugin loaded before Django's settings (`-p tests.data_dir` in pyproject.toml):
the suite keeps its database, secret key, cache and files in a temporary data dir, never in the
tree, and no two runs (nor two xdist workers of one run) share one."""

import atexit
import os
import shutil
import tempfile

if "LIBDESK_DATA_DIR" not in os.environ:
    _data_dir = tempfile.mkdtemp(prefix="libdesk-test-")
    os.environ["LIBDESK_DATA_DIR"] = _data_dir
    atexit.register(shutil.rmtree, _data_dir, ignore_errors=True)

# xdist's workers inherit the run's data dir: each takes a folder of its own inside it, so that
# the cache (files in the data dir) is never cleared or counted by another worker's tests.
if _worker := os.environ.get("PYTEST_XDIST_WORKER"):
    _own = os.path.join(os.environ["LIBDESK_DATA_DIR"], _worker)
    os.makedirs(_own, exist_ok=True)
    os.environ["LIBDESK_DATA_DIR"] = _own
