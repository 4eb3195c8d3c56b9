"""Split renders, as a ratio measured side by side in one run.

The flagship (``optiroll render momentum``) at ``-qh`` (1080p60) in one process
(``--cores 1``) against ``--split 2`` (its animations in two ranges, two processes,
joined by a stream copy) and against the default, forked pieces (one copy of the
render per core, ``scenes/lesson/pieces.py``), each in a fresh folder. Prints the
wall and CPU times, the speed-ups, and whether the videos have the same number of
frames.

Usage: python benchmarks/bench_split.py [--quality h] [--split 2] [--lesson momentum]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av

REPO = Path(__file__).resolve().parents[1]


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def render(lesson: str, quality: str, extra: list[str]) -> tuple[float, float, int]:
    """Wall and CPU seconds of ``optiroll render LESSON -qQUALITY EXTRA`` (its processes
    and threads together) and its video's frames."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "clip.mp4"
        cpu0 = _cpu()
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "optiroll.scenes.cli", "render", lesson,
                            f"-q{quality}", "-o", str(out), *extra], cwd=REPO,
                           capture_output=True, text=True, stdin=subprocess.DEVNULL)
        seconds = time.perf_counter() - t0
        cpu = _cpu() - cpu0
        if r.returncode:
            raise SystemExit(r.stderr[-3000:])
        with av.open(str(out)) as c:
            frames = sum(1 for _ in c.demux(video=0) if _.size)
    return seconds, cpu, frames


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lesson", default="momentum")
    ap.add_argument("--quality", default="h")
    ap.add_argument("--split", type=int, default=2)
    args = ap.parse_args()
    cores = len(os.sched_getaffinity(0))
    print(f"{args.lesson} at -q{args.quality} on {cores} cores")
    one, cpu1, n1 = render(args.lesson, args.quality, ["--cores", "1"])
    print(f"  one process:     {one:7.1f} s  ({n1} frames; {cpu1:.0f} CPU s, "
          f"{cpu1 / one:.2f} cores busy: the encoder's threads run beside the drawing)")
    split, cpu2, n2 = render(args.lesson, args.quality, ["--split", str(args.split)])
    print(f"  --split {args.split}:       {split:7.1f} s  ({n2} frames; {cpu2:.0f} CPU s, "
          f"{cpu2 / split:.2f} cores busy)")
    pieces, cpu3, n3 = render(args.lesson, args.quality, [])
    print(f"  forked pieces:   {pieces:7.1f} s  ({n3} frames; {cpu3:.0f} CPU s, "
          f"{cpu3 / pieces:.2f} cores busy: the default, one copy per core)")
    print(f"  speed-up: --split {one / split:.2f}x, pieces {one / pieces:.2f}x   same frame "
          f"count: {n1 == n2 == n3}")


if __name__ == "__main__":
    main()
