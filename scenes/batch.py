"""Batches of render jobs: on local processes or a Dask cluster, whole or split, one display.

A :class:`Runner` runs a worker-side function on a :class:`~.jobs.Job` somewhere
and returns a future: :class:`LocalRunner` in processes of this machine (they
share its files), :class:`DaskRunner` on the workers of a Dask distributed
scheduler (they share nothing: a job travels as a :class:`Bundle` holding the
lesson file's text and the ``manim.cfg`` in force, and the finished file comes
back as bytes). :func:`render_all` drives a batch: every job whole, or each in
``split`` animation ranges joined here (:mod:`.split`); the client writes every
result atomically, a failure is reported with its message and does not stop the
others, and one progress display shows every lesson's frames.
"""

from __future__ import annotations

import functools
import multiprocessing as mp
import queue
import re
import shutil
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from .jobs import Job, JobError, Result, _deliver, _failure, _move_into_place, run
from .kit.temp_folders import own_folder
from .progress import Display
from .split import join_partials, measure, plan_ranges, render_range

Report = Callable[[str, int], None]


# -- what a worker runs ---------------------------------------------------------------
@dataclass(frozen=True)
class Failed:
    """A worker-side failure, already turned into the job's one clear message."""

    result: Result


def attempt(fn: Callable[..., Any], job: Job, report: Report | None, debug: bool,
            *args: Any) -> Any:
    """``fn(job, report, *args)``, or :class:`Failed` with the message a user reads."""
    try:
        return fn(job, report, *args)
    except Exception as err:  # noqa: BLE001 - every failure becomes one clear line
        return Failed(_failure(job, err, debug))


def whole(job: Job, report: Report | None, debug: bool) -> Result:
    """Render ``job`` to ``job.out`` (the worker-side half of an unsplit job)."""
    return run(job, report, debug)


# -- runners ----------------------------------------------------------------------------
class Runner(Protocol):
    """Where a batch's worker-side functions run."""

    def submit(self, fn: Callable[..., Any], job: Job, debug: bool, *args: Any) -> Any:
        """Run ``fn(job, report, *args)`` somewhere; a future (``done()``, ``result()``)."""

    def delivered(self, job: Job, value: Any) -> Result:
        """The Result of a finished unsplit job, its file written at ``job.out``."""

    def drain(self) -> list[tuple[str, int]]:
        """The progress updates ``(lesson, frames or -total)`` received since last time."""

    def close(self) -> None: ...


class LocalRunner:
    """Jobs in ``workers`` spawned processes of this machine."""

    def __init__(self, workers: int) -> None:
        ctx = mp.get_context("spawn")
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
        self.manager = ctx.Manager()
        self.updates = self.manager.Queue()
        self.report = functools.partial(_put, self.updates)

    def submit(self, fn: Callable[..., Any], job: Job, debug: bool, *args: Any) -> Any:
        if fn is whole:  # run() turns every failure into its Result itself
            return self.pool.submit(whole, job, self.report, debug)
        return self.pool.submit(attempt, fn, job, self.report, debug, *args)

    def delivered(self, job: Job, value: Any) -> Result:
        return value  # run() wrote job.out itself (this machine's files)

    def drain(self) -> list[tuple[str, int]]:
        return _drain(self.updates)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.manager.shutdown()


class InlineRunner:
    """A lone job run here, in this process, as it is submitted.

    A spawned worker starts a second Python, imports Manim and the lesson again
    (the command already imported them to check the acts) and reports through a
    manager process: about a second and a half of a preview's ten. With one job and
    nothing to run beside it there is nothing to gain from a worker; ``report``
    (the progress display's ``update``) hears the frames as they are written.
    """

    def __init__(self, report: Report) -> None:
        self.report = report

    def submit(self, fn: Callable[..., Any], job: Job, debug: bool, *args: Any) -> Future:
        done: Future = Future()
        if fn is whole:  # run() turns every failure into its Result itself
            done.set_result(whole(job, self.report, debug))
        else:
            done.set_result(attempt(fn, job, self.report, debug, *args))
        return done

    def delivered(self, job: Job, value: Any) -> Result:
        return value  # run() wrote job.out itself

    def drain(self) -> list[tuple[str, int]]:
        return []  # every update went to the display as it came

    def close(self) -> None:
        pass


def _put(q: Any, name: str, n: int) -> None:
    q.put((name, n))


def _drain(updates: Any) -> list[tuple[str, int]]:
    """Every progress update waiting in ``updates`` (a queue), without blocking."""
    out = []
    while True:
        try:
            out.append(updates.get_nowait())
        except queue.Empty:
            return out


@dataclass(frozen=True)
class Bundle:
    """A job that carries its own files: the lesson's text and the manim.cfg in force."""

    job: Job
    source: bytes
    config: bytes | None = None

    @classmethod
    def of(cls, job: Job) -> Bundle:
        cfg = job.config_file.read_bytes() if job.config_file is not None else None
        return cls(job, job.path.read_bytes(), cfg)

    def unpack(self, folder: Path) -> Job:
        """The job with its files written into ``folder`` and its output there too."""
        lesson = folder / self.job.path.name
        lesson.write_bytes(self.source)
        cfg = None
        if self.config is not None:
            cfg = folder / "manim.cfg"
            cfg.write_bytes(self.config)
        (folder / "out").mkdir()
        return replace(self.job, path=lesson, out=folder / "out" / self.job.out.name,
                       config_file=cfg)


def on_worker(fn: Callable[..., Any], bundle: Bundle, topic: str, debug: bool,
              *args: Any) -> Any:
    """The task a Dask worker runs: unpack the bundle, run ``fn`` and send progress as
    events on ``topic``; an unsplit job returns its finished file's bytes."""
    report = EventReport(topic)
    folder = own_folder("bundle")
    try:
        job = bundle.unpack(folder)
        if fn is whole:
            result = whole(job, report, debug)
            return result, (_read_output(job.out) if result.ok else None)
        return attempt(fn, job, report, debug, *args)
    finally:
        report.flush()
        shutil.rmtree(folder, ignore_errors=True)


def _read_output(path: Path) -> bytes | dict[str, bytes]:
    if path.is_dir():  # a PNG sequence
        return {p.name: p.read_bytes() for p in sorted(path.iterdir())}
    return path.read_bytes()


class EventReport:
    """Frames written, sent to the client as Dask events (batched: at most 5 a second)."""

    def __init__(self, topic: str) -> None:
        self.topic = topic
        self.pending: dict[str, int] = {}
        self.last = 0.0

    def __call__(self, name: str, n: int) -> None:
        if n < 0:
            self._send(name, n)
            return
        self.pending[name] = self.pending.get(name, 0) + n
        if time.monotonic() - self.last > 0.2:
            self.flush()

    def flush(self) -> None:
        for name, n in self.pending.items():
            self._send(name, n)
        self.pending.clear()
        self.last = time.monotonic()

    def _send(self, name: str, n: int) -> None:
        from distributed import get_worker

        try:
            get_worker().log_event(self.topic, [name, n])
        except ValueError:  # not on a worker (called directly): nothing to tell
            pass


#: a scheduler address as ``dask scheduler`` prints it: tcp://HOST:PORT (the scheme optional)
_ADDRESS = re.compile(r"^(?:(?:tcp|tls|ucx|ws|wss)://)?[^/\s]+:\d+$")


def dask_client(address: str, timeout: float = 10.0) -> Any:
    """A Dask ``Client`` of the scheduler at ``address``, or a JobError naming the fix."""
    if not _ADDRESS.match(address):
        raise JobError(f"--scheduler {address}: write the scheduler's address as "
                       "tcp://HOST:PORT, as `dask scheduler` prints it")
    try:
        from distributed import Client
    except ImportError:
        raise JobError("--scheduler needs Dask: pip install -e '.[cluster]' (or "
                       "pip install 'dask[distributed]')") from None
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as err:
        raise JobError(f"cannot reach a Dask scheduler at {address} ({err}); start one "
                       "with `dask scheduler` and workers with `dask worker ADDRESS`, "
                       "or check the address") from None


class DaskRunner:
    """Jobs on the workers of the Dask scheduler at ``address`` (``tcp://host:8786``)."""

    def __init__(self, address: str) -> None:
        self.client = dask_client(address)
        self.topic = f"optiroll-progress-{uuid.uuid4().hex}"
        self.updates: queue.Queue[tuple[str, int]] = queue.Queue()
        try:
            self.client.subscribe_topic(self.topic, self._event)
        except BaseException:
            self.client.close()
            raise

    def _event(self, event: tuple[float, Any]) -> None:
        name, n = event[1]
        self.updates.put((name, n))

    def submit(self, fn: Callable[..., Any], job: Job, debug: bool, *args: Any) -> Any:
        key = f"optiroll-{fn.__name__}-{job.name}-{uuid.uuid4().hex[:8]}"
        return self.client.submit(on_worker, fn, Bundle.of(job), self.topic, debug, *args,
                                  key=key, pure=False)

    def delivered(self, job: Job, value: Any) -> Result:
        """Write a finished job's bytes to ``job.out`` here, atomically."""
        result, payload = value
        if not result.ok:
            return result
        with tempfile.TemporaryDirectory(prefix="optiroll-result-") as tmp:
            staged = Path(tmp) / job.out.name
            if isinstance(payload, dict):
                staged.mkdir()
                for name, data in payload.items():
                    (staged / name).write_bytes(data)
            else:
                staged.write_bytes(payload)
            _move_into_place(staged, job.out)
        return Result(job.name, True, job.out)

    def drain(self) -> list[tuple[str, int]]:
        return _drain(self.updates)

    def close(self) -> None:
        try:
            self.client.unsubscribe_topic(self.topic)
        finally:
            self.client.close()


# -- a batch ------------------------------------------------------------------------------
@dataclass
class _Split:
    """Where one split job stands: its dry run, then its pieces."""

    job: Job
    plan: Any  # the future of its dry run (a split.Plan)
    pieces: list[Any] = field(default_factory=list)


def render_all(todo: list[Job], runner: Runner, display: Display, split: int = 1,
               debug: bool = False) -> list[Result]:
    """Run every job on ``runner`` (each in ``split`` ranges when ``split > 1``), showing
    progress on ``display``; return one Result per job, in order."""
    done: dict[str, Result] = {}
    whole_jobs: dict[str, tuple[Job, Any]] = {}
    splits: dict[str, _Split] = {}
    for job in todo:  # the command checked the options can be split (check_splittable)
        if split > 1:
            splits[job.name] = _Split(job, runner.submit(measure, job, debug))
        else:
            whole_jobs[job.name] = (job, runner.submit(whole, job, debug))
    while len(done) < len(todo):
        for name, n in runner.drain():
            display.update(name, n)
        for name, (job, future) in whole_jobs.items():
            if name not in done and future.done():
                try:
                    done[name] = runner.delivered(job, future.result())
                except Exception as err:  # noqa: BLE001 - a process or worker that died
                    done[name] = _died(job, err, debug)
                display.finish(done[name])
        for name, state in splits.items():
            if name not in done:
                result = _advance(state, runner, display, split, debug)
                if result is not None:
                    done[name] = result
                    display.finish(result)
        time.sleep(0.05)
    for name, n in runner.drain():
        display.update(name, n)
    return [done[j.name] for j in todo]


def _died(job: Job, err: Exception, debug: bool) -> Result:
    """A job whose process or worker died, as one clear message."""
    name = type(err).__name__
    if name == "KilledWorker":
        message = ("the workers running it died (out of memory, or stopped) as often as the "
                   f"scheduler allows: {err}")
    else:
        message = f"the render process stopped: {name}: {err}"
    if debug:
        message += "\n" + "".join(traceback.format_exception(err))
    return Result(job.name, False, None, message)


def _advance(state: _Split, runner: Runner, display: Display, k: int,
             debug: bool) -> Result | None:
    """Move a split job on: submit its pieces once counted; join them once all are back."""
    job = state.job
    if not state.pieces:
        if not state.plan.done():
            return None
        plan = _value(job, state.plan, debug)
        if isinstance(plan, Result):
            return plan
        display.update(job.name, -sum(plan.frames))
        ranges = plan_ranges(plan.costs, k)
        state.pieces = [runner.submit(render_range, job, debug, first,
                                      None if i == len(ranges) - 1 else last)
                        for i, (first, last) in enumerate(ranges)]
        return None
    if not all(p.done() for p in state.pieces):
        return None
    parts = [_value(job, p, debug) for p in state.pieces]
    failed = [p for p in parts if isinstance(p, Result)]
    if failed:
        return failed[0]
    try:
        _join_and_deliver(job, [movie for part in parts for movie in part])
    except Exception as err:  # noqa: BLE001
        return _failure(job, err, debug)
    return Result(job.name, True, job.out)


def _value(job: Job, future: Any, debug: bool) -> Any:
    """A piece's value, or the job's failed Result."""
    try:
        value = future.result()
    except Exception as err:  # noqa: BLE001 - a process or worker that died
        return _died(job, err, debug)
    return value.result if isinstance(value, Failed) else value


def _join_and_deliver(job: Job, movies: list[bytes]) -> None:
    """Join the partial movies in order and put the result (or its GIF) at ``job.out``."""
    with tempfile.TemporaryDirectory(prefix="optiroll-join-") as tmp:
        folder = Path(tmp)
        # the partial movies' own container: a GIF is made from the joined MP4
        suffix = ".mp4" if job.options.format == "gif" else job.options.extension
        files = []
        for i, data in enumerate(movies):
            files.append(folder / f"{i:05d}{suffix}")
            files[-1].write_bytes(data)
        joined = folder / f"joined{suffix}"
        join_partials(files, joined, job.options.transparent)
        _deliver(job, joined, folder)

