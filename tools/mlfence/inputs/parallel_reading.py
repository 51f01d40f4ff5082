"""The files of a large folder read in several processes at once.

Decoding YAML is most of the CPU a large scan spends in Python (the Kubeflow tree: ~1.6 s of
24 MB, bench/README.md), one file at a time on one core. Each file's documents and problems
depend on that file alone, so worker processes read files in parallel and hand back what each
file gave; the caller places every result where the file is in the walk, exactly as if it had
read them one after the other. Small folders are read in-process: starting workers and passing
documents back (pickle) costs more than it saves below PARALLEL_BYTES of YAML.

Workers are forked (they inherit the loaded modules: no second start-up), so only on Linux and
only while the process runs a single thread: forking a process whose other threads may hold a
lock (a progress display's) is not safe. Otherwise the files are read in-process.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from mlfence.errors import MlfenceError
from mlfence.inputs.walk import YAML_SUFFIXES

Result = TypeVar("Result")


class ReadingWorkerDied(MlfenceError):
    """A worker process reading input files ended without an answer."""


PARALLEL_BYTES = 4 * 2**20
MAX_WORKERS = 8


def _workers(files: list[tuple[Path, bool]]) -> int:
    """Processes worth starting for these files: 1 means read them in-process."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if cpus < 2 or len(files) < 2 or not sys.platform.startswith("linux") or not _single_threaded():
        return 1
    size = 0
    for path, _ in files:
        # JSON is decoded in C about as fast as the documents could be handed back: only YAML
        # is worth the workers (365 plans: 0.25 s CPU read in-process, 0.6 s with two workers).
        if path.suffix.lower() not in YAML_SUFFIXES:
            continue
        try:
            size += os.stat(path).st_size
        except OSError:
            continue  # the reader reports it
        if size >= PARALLEL_BYTES:
            return min(cpus, MAX_WORKERS)
    return 1


def _single_threaded() -> bool:
    return threading.active_count() == 1


# The reader of this read_files call: the module-level slot forked workers inherit (Any: the
# result type is read_files' type variable).
_task: Callable[[Path, bool, bool, bool], Any] | None = None


def _run(args: tuple[Path, bool, bool]) -> Any:
    assert _task is not None
    return _task(*args, True)


def read_files(
    files: list[tuple[Path, bool]], allow_empty: bool, read: Callable[[Path, bool, bool, bool], Result]
) -> list[Result]:
    """read(path, in_kustomize_tree, allow_empty, in_worker) for every file, in the order given."""
    global _task
    tasks = [(path, in_tree, allow_empty) for path, in_tree in files]
    workers = _workers(files)
    if workers == 1:
        return [read(*task, False) for task in tasks]
    import multiprocessing  # ~0.01 s at start-up, for large folders only
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    _task = read  # inherited by the forked workers
    try:
        # concurrent.futures, not multiprocessing.Pool: a worker the kernel kills (out of memory)
        # breaks the pool with an error here, where Pool would wait for its result forever.
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            # Chunks of a few files: large enough to keep the hand-overs few, small enough that
            # one big file does not leave the other workers idle at the end.
            return list(pool.map(_run, tasks, chunksize=max(1, len(tasks) // (workers * 8))))
    except BrokenProcessPool:
        raise ReadingWorkerDied(
            "a process reading the input files died (killed, e.g. out of memory); no findings were produced"
        ) from None
    finally:
        _task = None
