"""DIR/lock: held by the driver alone, never by a worker forked from it."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from lego.sweep.store import open_store

ROOT = Path(__file__).resolve().parents[1]

# A driver that forks a long-lived worker, then dies without unlocking (as under kill -9).
_DRIVER = """
import os, sys, time
from lego.sweep.store import open_store
store = open_store(sys.argv[1])
child = os.fork()
if child == 0:
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 1)  # let the test's pipe close with the driver
    os.dup2(null, 2)
    time.sleep(60)
    os._exit(0)
print(child, flush=True)
os._exit(0)
"""


def test_a_worker_that_outlives_its_driver_does_not_keep_the_folder_locked(tmp_path):
    folder = tmp_path / "out"
    result = subprocess.run([sys.executable, "-c", _DRIVER, str(folder)], cwd=ROOT,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True,
                            text=True, check=True, timeout=60)
    worker = int(result.stdout)
    try:
        os.kill(worker, 0)  # the worker is still alive
        open_store(folder).close()  # and the next driver gets the folder
    finally:
        os.kill(worker, signal.SIGKILL)
