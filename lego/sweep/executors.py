"""Where batches run: in the driver (``--jobs 1``), in local worker processes (``--jobs N``) or
on a Dask cluster (``--executor dask://HOST:PORT``, or ``dask-local`` for a LocalCluster of N
processes; Dask is the optional extra ``lego[cluster]``).

Tasks are submitted a few per worker at a time, so a killed driver loses only those in flight.
A worker that dies (killed, out of memory) breaks a process pool: a fresh pool takes over and
the batches it held run once more; a batch lost twice comes back as the error."""

from __future__ import annotations

import multiprocessing
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent import futures
from concurrent.futures.process import BrokenProcessPool

from lego.errors import LegoError

__all__ = ["make_executor", "run_tasks", "InProcess", "LocalProcesses", "DaskCluster"]

_ATTEMPTS = 2  # runs of a batch whose worker died before it is given up


class InProcess:
    name = "local, 1 job"
    workers = 1
    lost = ()

    def submit(self, fn, *args):
        future = futures.Future()
        try:
            future.set_result(fn(*args))
        except Exception as error:  # noqa: BLE001 (handed to the caller like a pool's would be)
            future.set_exception(error)
        return future

    def wait(self, pending):
        return set(pending)

    def recover(self) -> None:
        pass

    def close(self) -> None:
        pass


class LocalProcesses:
    lost = (BrokenProcessPool,)

    def __init__(self, jobs: int):
        self.workers = jobs
        self.name = f"local, {jobs} processes"
        self._pool = self._new_pool()

    def _new_pool(self):
        # fork: workers start with the driver's modules already imported
        return futures.ProcessPoolExecutor(self.workers,
                                           mp_context=multiprocessing.get_context("fork"))

    def submit(self, fn, *args):
        return self._pool.submit(fn, *args)

    def wait(self, pending):
        return futures.wait(pending, return_when=futures.FIRST_COMPLETED).done

    def recover(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskCluster:
    def __init__(self, address: str | None, jobs: int):
        try:
            import distributed
        except ImportError:
            raise LegoError("--executor dask needs Dask: pip install 'lego[cluster]'") from None
        self._distributed = distributed
        self._cluster = None
        if address is None:
            self._cluster = distributed.LocalCluster(
                n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None)
            self.name = f"Dask LocalCluster, {jobs} workers"
        else:
            self.name = f"Dask at {address}"
        try:
            self._client = distributed.Client(self._cluster or address, timeout=30)
        except OSError as error:
            raise LegoError(f"--executor dask://{address.removeprefix('tcp://')}: cannot reach "
                            f"the scheduler ({error})") from None
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))
        self.lost = (distributed.client.FutureCancelledError, distributed.KilledWorker)

    def submit(self, fn, *args):
        return self._client.submit(fn, *args, pure=False)

    def wait(self, pending):
        return self._distributed.wait(list(pending), return_when="FIRST_COMPLETED").done

    def recover(self) -> None:
        pass  # the scheduler reschedules work of a lost worker itself

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(spec: str, jobs: int):
    if jobs < 1:
        raise LegoError(f"--jobs must be a positive integer, not {jobs}")
    if spec == "local":
        return InProcess() if jobs == 1 else LocalProcesses(jobs)
    if spec == "dask-local":
        return DaskCluster(None, jobs)
    if spec.startswith("dask://") and len(spec) > len("dask://"):
        return DaskCluster("tcp://" + spec[len("dask://"):], jobs)
    raise LegoError(f"--executor must be local, dask-local or dask://HOST:PORT, not {spec!r}")


def run_tasks(executor, fn: Callable, tasks: list[tuple], window: int
              ) -> Iterator[tuple[int, object]]:
    """(task index, result or exception) as tasks finish, at most ``window`` in flight."""
    queue, pending, runs = deque(range(len(tasks))), {}, Counter()
    while queue or pending:
        while queue and len(pending) < window:
            index = queue.popleft()
            runs[index] += 1
            pending[executor.submit(fn, *tasks[index])] = index
        broken = False
        for future in executor.wait(pending):
            index = pending.pop(future)
            try:
                yield index, future.result()
            except executor.lost as error:
                broken = True
                if runs[index] < _ATTEMPTS:
                    queue.appendleft(index)
                else:
                    yield index, error
            except Exception as error:  # noqa: BLE001 (the caller records the batch failed)
                yield index, error
        if broken:
            for index in pending.values():  # a broken pool fails all it held
                queue.appendleft(index)
            pending.clear()
            executor.recover()
