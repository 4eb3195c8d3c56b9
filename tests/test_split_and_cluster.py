"""`optiroll render --split K` and `--scheduler ADDRESS`: a split render is the clip one
process makes (every frame; byte for byte with a lossless codec), jobs run on a Dask
cluster (a LocalCluster, and a scheduler and workers started from the command line),
a failed job is reported without stopping the others, and a worker killed mid-job
leaves nothing half-written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import pytest
from conftest import installed_env
from optiroll.scenes.jobs import Job, JobError, Options
from optiroll.scenes.progress import Display
from optiroll.scenes.split import check_splittable, plan_ranges

REPO = Path(__file__).resolve().parents[1]
TINY = ["-r", "160,90", "--fps", "5"]
THREE_D = REPO / "examples" / "behind_the_hill.toml"  # a 2-D race and a 3-D ride
TWO_D = REPO / "examples" / "adaptive_trio.toml"
PLAIN = REPO / "tests" / "scenes" / "tiny_race.py"  # a plain Scene, not a Lesson


def optiroll(*args: str, cwd: Path, env: dict | None = None,
             timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "optiroll.scenes.cli", *args], cwd=cwd,
                          env=env or installed_env(), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout)


def decoded(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgba") for f in c.decode(video=0)]


# -- planning ------------------------------------------------------------------------------
def test_plan_ranges_are_contiguous_cover_everything_and_balance() -> None:
    rng = np.random.default_rng(0)
    for _ in range(200):
        frames = rng.integers(1, 100, size=rng.integers(1, 30)).tolist()
        k = int(rng.integers(1, 8))
        ranges = plan_ranges(frames, k)
        assert len(ranges) == min(k, len(frames))
        assert ranges[0][0] == 0 and ranges[-1][1] == len(frames) - 1
        assert all(b[0] == a[1] + 1 for a, b in zip(ranges, ranges[1:], strict=False))
        assert all(first <= last for first, last in ranges)
        # no piece holds more than an even share plus the largest animation
        share = sum(frames) / len(ranges) + max(frames)
        assert all(sum(frames[a:b + 1]) <= share for a, b in ranges)


def test_nothing_to_split_is_refused_with_the_fix() -> None:
    for options, what in ((Options(last_frame=True), "-s"), (Options(format="png"), "png")):
        with pytest.raises(JobError, match=f"{what}.*leave out --split"):
            check_splittable(options, 2)
    check_splittable(Options(format="gif"), 2)


def test_a_restarted_job_counts_again_but_split_pieces_add_up() -> None:
    from rich.console import Console

    job = Job("a", Path("a.toml"), Path("a.mp4"))
    whole = Display([job], Console(file=open(os.devnull, "w")))  # noqa: SIM115
    whole.update("a", -10)
    whole.update("a", 6)
    whole.update("a", -10)  # its worker died; the cluster runs it again
    assert whole.progress.tasks[0].completed == 0
    split = Display([job], Console(file=open(os.devnull, "w")), split=True)  # noqa: SIM115
    for n in (-10, 4, -10, 6):  # two pieces, each reporting the lesson's total
        split.update("a", n)
    assert split.progress.tasks[0].completed == 10


def test_a_finished_lesson_shows_the_frames_it_wrote() -> None:
    """The plan (from the acts' seconds) can be a frame off Manim's rounding of each
    animation: a finished row shows the frames written (it had ended at 191/190)."""
    from optiroll.scenes.jobs import Result
    from rich.console import Console

    for planned, written in ((190, 191), (190, 189)):
        job = Job("a", Path("a.toml"), Path("a.mp4"))
        display = Display([job], Console(file=open(os.devnull, "w")))  # noqa: SIM115
        display.update("a", -planned)
        display.update("a", written)
        display.finish(Result("a", True, Path("a.mp4")))
        task = display.progress.tasks[0]
        assert (task.completed, task.total) == (written, written)


# -- split renders -------------------------------------------------------------------------
def test_split_render_is_the_single_process_clip(tmp_path: Path) -> None:
    """QuickTime animation (-t) is lossless: the split file is the same bytes as one
    process's (``--cores 1``: pieces may cut an animation in two, and one more partial
    movie lays the file out otherwise, the same frames); and the frames a split MP4
    decodes to are those of the single-process MP4."""
    whole = optiroll("render", str(THREE_D), *TINY, "-t", "--cores", "1", "-o", "whole.mov",
                     cwd=tmp_path)
    assert whole.returncode == 0, whole.stderr
    for k in (3,):
        r = optiroll("render", str(THREE_D), *TINY, "-t", "--split", str(k), "-o",
                     f"split{k}.mov", cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        assert (tmp_path / f"split{k}.mov").read_bytes() == (tmp_path / "whole.mov").read_bytes()
    a = decoded(tmp_path / "whole.mov")
    assert len(a) > 50 and all(np.array_equal(x, y) for x, y in
                               zip(a, decoded(tmp_path / "split3.mov"), strict=True))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "split3.mov", "whole.mov"]  # no staging files left behind


def test_split_mp4_and_gif_and_a_plain_scene(tmp_path: Path) -> None:
    """H.264 through Manim 0.21 is not reproducible run to run even in one process (the
    same frames in, a few pixels a few levels apart out, now and then): the split MP4
    has every frame, each within that encoder noise of the single-process one."""
    r = optiroll("render", str(TWO_D), str(PLAIN), *TINY, "--split", "2", "-o", ".",
                 cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = optiroll("render", str(TWO_D), *TINY, "--cores", "1", "-o", "whole.mp4",
                 cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    a, b = decoded(tmp_path / "whole.mp4"), decoded(tmp_path / "adaptive_trio_90p5.mp4")
    assert len(a) == len(b)
    diff = np.abs(np.stack(a).astype(int) - np.stack(b).astype(int))
    assert diff.mean() < 0.05, diff.mean()
    assert len(decoded(tmp_path / "tiny_race_90p5.mp4")) == 5  # one second at 5 fps
    r = optiroll("render", str(PLAIN), "-r", "160,90", "--fps", "25", "--split", "2", "-o",
                 "race.gif", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    with av.open(str(tmp_path / "race.gif")) as c:
        assert sum(1 for _ in c.decode(video=0)) == 25


def test_a_split_lesson_that_fails_is_reported(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("from manim import Scene\n\nclass Broken(Scene):\n"
                      "    def construct(self):\n        raise RuntimeError('no ball')\n")
    r = optiroll("render", str(broken), str(PLAIN), *TINY, "--split", "2", "-o", ".",
                 cwd=tmp_path)
    assert r.returncode == 2  # raised by the lesson's own code: bad input
    assert ("failed: broken: broken.py:5: RuntimeError: no ball (raised by the lesson's own "
            "code)") in r.stderr
    assert (tmp_path / "tiny_race_90p5.mp4").is_file()
    assert not (tmp_path / "broken_90p5.mp4").exists()


def test_split_refuses_a_single_frame(tmp_path: Path) -> None:
    r = optiroll("render", str(TWO_D), *TINY, "-s", "--split", "2", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.strip() == ("error: --split joins video pieces; -s (one frame) has none "
                                "to join: leave out --split")
    assert not (tmp_path / "media").exists()


# -- a Dask cluster ----------------------------------------------------------------------------
def test_render_on_a_local_cluster(tmp_path: Path, dask_client) -> None:
    """Jobs carry their files (the workers run in other folders); a failing lesson is
    reported and the others are written; split pieces run on the cluster too."""
    address = dask_client.scheduler.address
    broken = tmp_path / "broken.py"
    broken.write_text("from manim import Scene\n\nclass Broken(Scene):\n"
                      "    def construct(self):\n        raise RuntimeError('no ball')\n")
    r = optiroll("render", str(TWO_D), str(PLAIN), str(broken), *TINY, "-t", "--scheduler",
                 address, "-o", ".", cwd=tmp_path)
    assert r.returncode == 2, r.stderr  # raised by the lesson's own code: bad input
    assert "failed: broken: broken.py:5: RuntimeError: no ball" in r.stderr
    assert "rendering adaptive_trio (" in r.stderr and "adaptive_trio: done" in r.stderr
    local = optiroll("render", str(TWO_D), *TINY, "-t", "--cores", "1", "-o", "local.mov",
                     cwd=tmp_path)
    assert local.returncode == 0, local.stderr
    assert (tmp_path / "adaptive_trio_90p5.mov").read_bytes() == \
        (tmp_path / "local.mov").read_bytes()
    assert len(decoded(tmp_path / "tiny_race_90p5.mov")) == 5
    r = optiroll("render", str(TWO_D), *TINY, "-t", "--split", "2", "--scheduler", address,
                 "-o", "split.mov", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "split.mov").read_bytes() == (tmp_path / "local.mov").read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_frames_last_frame_gif_and_webm_on_a_cluster(tmp_path: Path, dask_client) -> None:
    """Every output kind comes back from a worker: a folder of PNG frames, a last frame,
    a GIF, and a transparent WebM split in two and joined."""
    address = dask_client.scheduler.address
    runs = [("--format", "png", "-o", "frames"), ("-s", "-o", "last.png"),
            ("--fps", "25", "-o", "race.gif"), ("-t", "--format", "webm", "--split", "2",
                                                "-o", "race.webm")]
    for extra in runs:
        size = ["-r", "160,90"] + ([] if "--fps" in extra else ["--fps", "5"])
        r = optiroll("render", str(PLAIN), *size, *extra, "--scheduler", address,
                     cwd=tmp_path)
        assert r.returncode == 0, r.stderr
    frames = sorted(p.name for p in (tmp_path / "frames").iterdir())
    assert frames == [f"tiny_race_{i:04d}.png" for i in range(5)]
    from PIL import Image

    assert Image.open(tmp_path / "last.png").size == (160, 90)
    with av.open(str(tmp_path / "race.gif")) as c:
        assert sum(1 for _ in c.decode(video=0)) == 25
    with av.open(str(tmp_path / "race.webm")) as c:
        assert c.streams.video[0].codec_context.name in ("vp9", "libvpx-vp9")
        assert sum(1 for _ in c.decode(video=0)) == 5
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_no_scheduler_there_and_no_dask_installed(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    r = optiroll("render", str(TWO_D), *TINY, "--scheduler", "tcp://127.0.0.1:9",
                 cwd=tmp_path, timeout=120)
    assert r.returncode == 2
    assert r.stderr.startswith("error: cannot reach a Dask scheduler at tcp://127.0.0.1:9")
    assert "dask scheduler" in r.stderr
    for bad in ("foo", "http://x", "tcp://"):
        r = optiroll("render", str(TWO_D), *TINY, "--scheduler", bad, cwd=tmp_path,
                     timeout=60)
        assert r.returncode == 2
        assert r.stderr == (f"error: --scheduler {bad}: write the scheduler's address as "
                            "tcp://HOST:PORT, as `dask scheduler` prints it\n")
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "distributed.py").write_text("raise ImportError('hidden for a test')\n")
    env = {**installed_env(), "PYTHONPATH": str(hide)}
    r = optiroll("render", str(TWO_D), *TINY, "--scheduler", "tcp://127.0.0.1:9", cwd=tmp_path,
                 env=env)
    assert r.returncode == 2
    assert r.stderr.strip() == ("error: --scheduler needs Dask: pip install -e '.[cluster]' "
                                "(or pip install 'dask[distributed]')")
    # everything else works without Dask
    r = optiroll("render", str(PLAIN), *TINY, "--split", "2", "-o", "race.mp4", cwd=tmp_path,
                 env=env)
    assert r.returncode == 0, r.stderr
    code = ("import sys, numpy as np; from optiroll import dynamics as dyn; "
            "from optiroll.dynamics import distributed, basins; "
            "distributed.rollout(dyn.surface('wells'), dyn.optimizer('sgd'), "
            "np.zeros((3, 2)), 5, chunk=2); print('distributed' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr


class _Cluster:
    """`dask scheduler` and two `dask worker` processes started as a user would."""

    def __init__(self, folder: Path, scheduler_env: dict | None = None) -> None:
        self.folder = folder
        bin_dir = Path(sys.executable).parent
        self.file = folder / "scheduler.json"
        # the workers' temporary files in the test's folder: a worker killed on purpose
        # cannot remove the job's bundle folder (two were left in /tmp by every run)
        scratch = folder / "worker-tmp"
        scratch.mkdir()
        env = {**installed_env(), "TMPDIR": str(scratch)}
        self.client = None
        self.procs = [subprocess.Popen(
            [str(bin_dir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
             "--no-dashboard", "--scheduler-file", str(self.file)],
            cwd=folder, env={**env, **(scheduler_env or {})},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
        try:
            self._wait(lambda: self.file.is_file(), "the scheduler")
            import json

            self.address = json.loads(self.file.read_text())["address"]
            for i in range(2):
                self.procs.append(subprocess.Popen(
                    [str(bin_dir / "dask"), "worker", self.address, "--nthreads", "1",
                     "--no-dashboard", "--name", f"w{i}"], cwd=folder, env=env,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            from distributed import Client

            self.client = Client(self.address, timeout=30)
            self.client.wait_for_workers(2, timeout=60)
        except BaseException:
            self.close()
            raise

    @staticmethod
    def _wait(ready, what: str, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while not ready():
            if time.monotonic() > end:
                raise TimeoutError(f"{what} did not start")
            time.sleep(0.1)

    def kill_the_busy_worker(self) -> None:
        """SIGKILL the worker process running a task (its nanny starts a new one)."""
        def busy() -> list[str]:
            return [w for w, tasks in self.client.processing().items() if tasks]

        self._wait(lambda: bool(busy()), "a task", timeout=120)
        time.sleep(1.5)  # well into the render
        running = busy()
        assert running, "the job ended before the kill: render a longer one"
        pid = self.client.run(os.getpid, workers=running[:1])
        os.kill(pid[running[0]], signal.SIGKILL)

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        for p in self.procs[::-1]:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def _stop(proc: subprocess.Popen | None) -> None:
    """Kill a background render still running (a failed assertion left it)."""
    if proc is not None and proc.poll() is None:
        proc.kill()
        proc.communicate()


def _render_in_background(tmp_path: Path, address: str, out: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "optiroll.scenes.cli", "render", str(THREE_D), "-r", "320,180",
         "--fps", "10", "-t", "--scheduler", address, "-o", out], cwd=tmp_path,
        env=installed_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)


def test_command_line_cluster_survives_a_killed_worker(tmp_path: Path) -> None:
    """A worker killed mid-job: the scheduler runs the job again on a live worker and the
    file written is the whole clip (the same bytes as a local render)."""
    pytest.importorskip("distributed")
    cluster = _Cluster(tmp_path)
    proc = None
    try:
        proc = _render_in_background(tmp_path, cluster.address, "ride.mov")
        cluster.kill_the_busy_worker()
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        assert "behind_the_hill: done" in err
    finally:
        _stop(proc)
        cluster.close()
    local = optiroll("render", str(THREE_D), "-r", "320,180", "--fps", "10", "-t",
                     "--cores", "1", "-o", "local.mov", cwd=tmp_path)
    assert local.returncode == 0, local.stderr
    assert (tmp_path / "ride.mov").read_bytes() == (tmp_path / "local.mov").read_bytes()


def test_a_job_whose_workers_keep_dying_is_reported(tmp_path: Path) -> None:
    """With no retries allowed, the killed worker's job fails with a message naming why,
    and nothing (not even a part) is written at its output path."""
    pytest.importorskip("distributed")
    cluster = _Cluster(tmp_path, {"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"})
    proc = None
    try:
        proc = _render_in_background(tmp_path, cluster.address, "ride.mov")
        cluster.kill_the_busy_worker()
        out, err = proc.communicate(timeout=600)
    finally:
        _stop(proc)
        cluster.close()
    assert proc.returncode == 1, err
    assert "failed: behind_the_hill: the workers running it died" in err
    assert not (tmp_path / "ride.mov").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
