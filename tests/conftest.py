import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

# the tests' own cache of parsed SVGs (scenes/kit/svgcache.py), not the user's: each run
# starts with none, and renders in subprocesses share it
def run_folder(prefix: str) -> str:
    """A new temporary folder, removed when the test run ends (by the process that made
    it: a forked copy that exits normally leaves it alone)."""
    folder, owner = tempfile.mkdtemp(prefix=prefix), os.getpid()
    atexit.register(lambda: os.getpid() == owner and shutil.rmtree(folder, ignore_errors=True))
    return folder


if "OPTIROLL_CACHE" not in os.environ:
    os.environ["OPTIROLL_CACHE"] = run_folder("optiroll-test-cache-")


def installed_env() -> dict[str, str]:
    """The environment for a subprocess that must find optiroll as installed (no PYTHONPATH,
    so a bare ``import dynamics`` or ``import scenes`` left in the code fails there too)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


@pytest.fixture(scope="session")
def dask_client():
    """A Dask cluster on loopback: two worker processes, one thread each (as a render
    cluster runs them). Shared by the tests of a session; started on first use."""
    distributed = pytest.importorskip("distributed", reason="install the [cluster] extra")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            yield client
