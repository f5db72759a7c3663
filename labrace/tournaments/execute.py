"""Playing the runs through any ``concurrent.futures.Executor``: serial, a process pool or Dask.

Runs are grouped into batches (one task each) so per-task overhead — pickling, scheduling, a Parquet part
— is paid once per batch, not per run. A run that raises is recorded as failed with its error text and
the batch carries on; a batch whose task itself fails (a worker died) is not recorded, so running the
tournament again retries it. Results do not depend on the executor, the worker count or the batching:
every run is a pure function of its configuration.

Stopping is the parent's decision. Pool workers ignore SIGINT (a Ctrl-C in a terminal reaches the whole
process group), so an interrupt reaches only ``play``, which stores the batches that have already
finished, cancels the queued ones and terminates the workers instead of letting them drain the queue.
Workers also exit by themselves as soon as their parent is gone, so killing the parent outright (SIGKILL,
an out-of-memory kill) does not leave them computing for nobody.
"""

from __future__ import annotations

import math
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
import traceback
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator

from tqdm import tqdm

from labs.params import ParameterError
from labrace.simulation.columns import OUTCOME_NUMBERS as OUTCOME_COLUMNS
from labrace.simulation.model import RaceModel
from labrace.simulation.run import outcome_columns, play_to_horizon

if TYPE_CHECKING:  # the worker process imports this module: keep its imports to what a run needs
    from labrace.tournaments.plan import RunTask
    from labrace.tournaments.store import ResultsStore


class SerialExecutor(Executor):
    """Runs each task at submission, in this process: for debugging and for comparison."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(error)
        # KeyboardInterrupt is not caught: it must stop the tournament at once, not become a lost batch
        return future


def _exit_with_parent() -> None:
    """Block until the parent process is gone, then end this worker without cleanup.

    A worker holds its parent's sentinel, which becomes ready when the parent exits for any reason, SIGKILL
    included; ``os._exit`` is used because the main thread may be deep inside a run.
    """
    parent = multiprocessing.parent_process()
    if parent is not None:
        multiprocessing.connection.wait([parent.sentinel])
    os._exit(1)


def _worker_init() -> None:
    """Ignore SIGINT (the parent decides when to stop) and watch for the parent's death."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, name="exit-with-parent", daemon=True).start()


WORKER_PRELOAD = ["labrace.tournaments.preload"]
"""What the fork server imports once, before it forks any worker (see that module)."""


def _worker_context() -> multiprocessing.context.BaseContext:
    """Fork-server workers where the platform has them, else spawned ones.

    Either way a worker is never a copy of the parent, so a run cannot depend on state the parent
    happened to hold: the fork server is a fresh interpreter that only imports ``WORKER_PRELOAD`` and then
    forks each worker from itself. A pool so starts in milliseconds instead of paying an interpreter start
    and Mesa's, SciPy's and pandas' imports per worker (most of a small tournament's wall time), and a
    process's later pools reuse the same server.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_PRELOAD)
    return context


class WorkerPool(ProcessPoolExecutor):
    """A process pool whose workers are never copies of the parent (see :func:`_worker_context`), and that
    can be stopped at once.

    ``ProcessPoolExecutor.shutdown`` lets the running tasks and those already handed to the workers
    finish, which for a tournament means minutes of work nobody will store.
    """

    def __init__(self, workers: int) -> None:
        super().__init__(max_workers=workers, mp_context=_worker_context(), initializer=_worker_init)

    def stop(self) -> None:
        """Cancel every queued task and terminate the workers, dropping the batches they were running."""
        processes = list((self._processes or {}).values())  # the standard library offers no public handle
        self.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join()


def stop_executor(executor: Executor) -> None:
    """Abandon the executor's outstanding work as fast as it allows.

    A :class:`WorkerPool` terminates its workers; any other executor (Dask's cancels its futures on a
    non-waiting shutdown) is shut down without waiting.
    """
    if isinstance(executor, WorkerPool):
        executor.stop()
    else:
        executor.shutdown(wait=False)


DASK_CONNECT_SECONDS = 5  # a reachable scheduler answers in milliseconds; Dask's own default waits 30 s


def _dask_client(address: str) -> Any:
    """A connected ``distributed.Client``, or a :class:`ParameterError` naming ``--dask`` within seconds."""
    allowed = "the address of a running dask scheduler, e.g. tcp://127.0.0.1:8786"
    try:
        from distributed import Client
    except ImportError:
        raise ParameterError("--dask", "the distributed package is not installed", allowed) from None
    try:
        return Client(address, timeout=DASK_CONNECT_SECONDS)
    except (OSError, ValueError) as error:  # unreachable (OSError, TimeoutError) or malformed address
        raise ParameterError("--dask", f"no scheduler at {address}: {error}", allowed) from None


@contextmanager
def make_executor(workers: int, dask_address: str | None = None) -> Iterator[Executor]:
    """Serial for ``workers == 0``, a :class:`WorkerPool` otherwise, or a Dask client's executor."""
    if dask_address:
        with _dask_client(dask_address) as client:
            yield client.get_executor()
    elif workers == 0:
        yield SerialExecutor()
    else:
        with WorkerPool(workers) as pool:
            yield pool


def plan_diagnostics(model: RaceModel) -> list[dict[str, Any]]:
    """Per lab (in row order): how many solves its policy made for it, how many did not converge and
    the worst residual of its policy's solves (``Policy.diagnostics``; zeros for rules that solve
    nothing)."""
    out = [{"plans": 0, "plans_not_converged": 0, "plan_residual": 0.0} for _ in range(len(model.config.labs))]
    for policy, labs in model.policy_groups:
        report = policy.diagnostics()
        for lab in labs:
            counts = report.get("by_lab", {}).get(int(lab), {})
            out[int(lab)] = {"plans": int(counts.get("plans", 0)),
                             "plans_not_converged": int(counts.get("plans_not_converged", 0)),
                             "plan_residual": float(report.get("worst_residual", 0.0)) if counts else 0.0}
    return out


def _rows(task: RunTask, version: str) -> list[dict[str, Any]]:
    meta = {"key": task.key, "scenario": task.scenario, "sweep": task.sweep, "seed": task.seed,
            "lineup": " | ".join(task.lineup), "version": version}
    try:
        model = play_to_horizon(task.config)
        outcomes = outcome_columns(model)
        plans = plan_diagnostics(model)
    except Exception as error:  # noqa: BLE001 - a failed run is a result, not a crash
        text = "".join(traceback.format_exception_only(error)).strip()
        return [{**meta, "seat": seat, "lab": lab.name, "policy": label, "status": "failed", "error": text,
                 **{c: math.nan for c in OUTCOME_COLUMNS}, "plans": None, "plans_not_converged": None,
                 "plan_residual": math.nan}
                for seat, (label, lab) in enumerate(zip(task.lineup, task.config.labs))]
    return [{**meta, "seat": seat, "lab": outcomes["lab"][seat], "policy": task.lineup[seat], "status": "ok",
             "error": "", **{c: float(outcomes[c][seat]) for c in OUTCOME_COLUMNS}, **plans[seat]}
            for seat in range(len(outcomes["lab"]))]


def run_batch(tasks: list[RunTask], version: str) -> list[dict[str, Any]]:
    """The worker's job: play every run of the batch, one row per lab."""
    return [row for task in tasks for row in _rows(task, version)]


def batch_size_for(n_runs: int, workers: int) -> int:
    """About eight batches per worker (the last batches finish close together), at most 25 runs each
    (bounded loss on a kill). In this process (``workers == 0``) four batches suffice."""
    per_worker = 8 if workers > 0 else 4
    return max(1, min(25, math.ceil(n_runs / (max(1, workers) * per_worker))))


@dataclass
class PlayReport:
    """What one invocation did: how many runs were planned, already there, new, failed or lost."""

    planned: int
    cached: int
    new: int
    failed: int
    lost: int
    seconds: float
    errors: list[str]

    @property
    def runs_per_second(self) -> float:
        return self.new / self.seconds if self.seconds > 0 else math.nan


class Interrupted(KeyboardInterrupt):
    """The tournament was interrupted; ``report`` counts what this invocation stored before it stopped."""

    def __init__(self, report: PlayReport, missing: int) -> None:
        self.report = report
        super().__init__(f"{report.new} new runs stored, {missing} still missing "
                         "(running the command again plays only those)")


def play(tasks: list[RunTask], store: ResultsStore, executor: Executor, version: str, batch_size: int,
         limit: int | None = None, progress: bool = True,
         work: Callable[[list[Any], str], list[dict[str, Any]]] = run_batch, desc: str = "tournament",
         cost: Callable[[Any], float] | None = None) -> PlayReport:
    """Run the tasks whose keys are not in ``store`` (at most ``limit``), appending each batch as it ends.

    ``work(batch, version)`` plays a batch into rows of the store's schema (a tournament's
    :func:`run_batch` by default; any task with a ``key`` and any picklable module-level function will do,
    which is how Monte-Carlo samples reuse this loop).

    Batches go to whichever worker is free, in order. With ``cost`` (an estimate of each task's cost, such
    as :func:`labrace.tournaments.plan.planning_labs`) they are cut from the tasks dearest first, so the
    last batches to start are the cheapest and the workers finish close together; without it every
    batch is dealt the same mix of tasks. Which batch a run lands in changes none of its numbers.

    On KeyboardInterrupt the batches that have finished are stored, the rest of the work is abandoned
    (see :func:`stop_executor`) and :class:`Interrupted` is raised.
    """
    done = store.keys()
    missing = [t for t in tasks if t.key not in done]
    todo = missing if limit is None else missing[:limit]
    if cost is not None:  # dearest first (a stable sort: equal estimates keep their order)
        todo_by_cost = sorted(todo, key=cost, reverse=True)
        batches = [todo_by_cost[i:i + batch_size] for i in range(0, len(todo_by_cost), batch_size)]
    else:
        # Deal the runs out round-robin: neighbouring runs share a line-up and so a cost (a planning entrant
        # is a hundred times dearer than a fixed rule), and contiguous batches would leave one worker with
        # all the expensive ones at the end.
        count = math.ceil(len(todo) / batch_size) if todo else 0
        batches = [todo[i::count] for i in range(count)]
    start = time.perf_counter()
    new = failed = lost = 0
    errors: list[str] = []

    def report() -> PlayReport:
        return PlayReport(len(tasks), len(tasks) - len(missing), new, failed, lost, time.perf_counter() - start,
                          errors)

    with tqdm(total=len(todo), unit="run", disable=not progress, desc=desc) as bar:

        def record(future: Future, batch: list[RunTask]) -> None:
            nonlocal new, failed, lost
            try:
                rows = future.result()
            except Exception as error:  # noqa: BLE001 - the worker failed, not the runs: retry later
                lost += len(batch)
                errors.append(f"batch of {len(batch)} runs lost: {type(error).__name__}: {error}")
            else:
                store.append(rows)
                new += len(batch)
                failed_keys = {r["key"] for r in rows if r["status"] == "failed"}
                failed += len(failed_keys)
                errors.extend(sorted({r["error"] for r in rows if r["status"] == "failed"}))
            bar.update(len(batch))

        pending: dict[Future, list[RunTask]] = {}
        try:
            for batch in batches:
                future = executor.submit(work, batch, version)
                if future.done():  # the serial executor ran it at submission: store it now, not after the rest
                    record(future, batch)
                else:
                    pending[future] = batch
            for future in as_completed(pending):
                record(future, pending.pop(future))
        except KeyboardInterrupt:
            for future in [f for f in pending if f.done() and not f.cancelled()]:
                record(future, pending.pop(future))
            stop_executor(executor)
            raise Interrupted(report(), len(missing) - new) from None
    return report()
