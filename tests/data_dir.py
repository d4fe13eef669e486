"""A pytest plugin loaded before Django's settings (`-p tests.data_dir` in pyproject.toml):
the suite keeps its database, secret key and files in a temporary data dir, never in the
tree, and two runs (or xdist workers) never share one."""

import atexit
import os
import shutil
import tempfile

if "LIBDESK_DATA_DIR" not in os.environ:
    _data_dir = tempfile.mkdtemp(prefix="libdesk-test-")
    os.environ["LIBDESK_DATA_DIR"] = _data_dir
    atexit.register(shutil.rmtree, _data_dir, ignore_errors=True)
