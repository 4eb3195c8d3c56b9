"""Preview speed, as ratios measured side by side in one run.

1. The flagship's ``-ql`` preview (``manim render -ql scenes/momentum.py``,
   854x480 at 15 fps) against the bare encode of the same frames: the preview's
   own frames, decoded first, encoded again with PyAV (libx264, crf 23, yuv420p:
   Manim's settings). That is the floor a preview could reach. The preview runs
   first with nothing cached (a new media folder, no parsed SVGs), then again in
   the same folders (the next preview of an unchanged lesson: its strings typeset
   and parsed before), then once more after an edit, as a lecturer previews: a copy
   of the scene file with another learning rate (new runs, numbers and sentences).
   They alternate with the encode, three times by default (``--repeats``), and the
   median pairs' ratios are reported. The preview itself
   encodes with a faster x264 preset than Manim's (``kit/writer.py``): for the record,
   the ratios against a bare encode at that preset too.
   Then ``optiroll render --watch`` on a copy of the flagship's scene file: the
   seconds from each save (each with another learning rate) to the file written,
   in its warm process.
2. The 3-D ride per frame at 1080p60 (SurfaceView, moving camera) against a stock
   Manim ``Surface`` at the same mesh with a moving camera. Every per-frame figure
   leaves out the scene's start-up (imports, runs, meshes, the file), timed with
   a few-frame run of the same scene.
3. The 2-D race per frame at 1080p60 (its start-up, timed with a few-frame run of
   the same scene, left out) against the bare encode of its frames.

Usage: python benchmarks/bench_preview.py [--skip-stock] [--repeats N]
"""

from __future__ import annotations

import argparse
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import av
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from optiroll.scenes.kit.writer import PREVIEW_PRESET  # noqa: E402


def _ctrl_c_on() -> None:
    """In the child: Ctrl-C (SIGINT) at its default, so Python turns it into
    KeyboardInterrupt (a command started in the background of a non-interactive shell
    inherits SIGINT ignored, and then the watch would not stop on it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)

def render(args: list[str], name: str, keep: bool = False, folder: Path | None = None
           ) -> tuple[float, int, list[np.ndarray]]:
    """Wall time of ``manim render ARGS`` (Manim's caching off), the number of frames of
    the video it wrote, and those frames when ``keep`` (a 1080p minute of them is
    gigabytes: only the ones re-encoded are kept). Its media folder and optiroll's cache
    of parsed SVGs (``kit/svgcache.py``) are new and empty, or those in ``folder``: a
    second render there is a lecturer's next preview (the strings typeset and parsed)."""
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(folder or tmp)
        env = {**os.environ, "OPTIROLL_CACHE": str(where / "cache")}
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "manim", "render", "--media_dir",
                            str(where / "media"), "--disable_caching", *args], cwd=REPO,
                           capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env)
        seconds = time.perf_counter() - t0
        if r.returncode:
            raise SystemExit(r.stderr[-3000:])
        mp4 = max((p for p in (where / "media").rglob(f"{name}.mp4") if "partial" not in str(p)),
                  key=lambda p: p.stat().st_mtime)
        frames, count = [], 0
        with av.open(str(mp4)) as c:
            for f in c.decode(video=0):
                count += 1
                if keep:
                    frames.append(f.to_ndarray(format="rgb24"))
    return seconds, count, frames


def encode_seconds(frames: list[np.ndarray], fps: int, preset: str | None = None) -> float:
    """Encode ``frames`` to H.264 MP4 as Manim does (libx264, crf 23, yuv420p; x264's
    ``preset``, where given, instead of its default, ``medium``)."""
    h, w = frames[0].shape[:2]
    options = {"crf": "23", **({"preset": preset} if preset else {})}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        with av.open(str(Path(tmp) / "bare.mp4"), "w") as c:
            s = c.add_stream("libx264", rate=fps, options=options)
            s.width, s.height, s.pix_fmt = w, h, "yuv420p"
            for a in frames:
                for packet in s.encode(av.VideoFrame.from_ndarray(a, format="rgb24")):
                    c.mux(packet)
            for packet in s.encode():
                c.mux(packet)
        return time.perf_counter() - t0


#: the flagship's learning rate as its scene file sets it, and the edits made to it
FLAGSHIP_LR = "    LR = 0.1\n"
EDITED_LRS = (0.09, 0.095, 0.105, 0.11, 0.085, 0.115, 0.08, 0.12, 0.075, 0.125)


def edited_scene(lr: float | None) -> str:
    """The flagship's scene file, its learning rate set to ``lr`` (None: as it is)."""
    text = (REPO / "scenes" / "momentum.py").read_text()
    if FLAGSHIP_LR not in text:
        raise SystemExit(f"scenes/momentum.py no longer sets {FLAGSHIP_LR.strip()!r}")
    return text if lr is None else text.replace(FLAGSHIP_LR, f"    LR = {lr}\n")


def watched_previews(saves: int) -> list[float]:
    """Seconds from each save of a copy of the flagship's scene file, each with another
    learning rate, to ``--watch``'s next "wrote" line (the poll and the settling look
    included), ``saves`` times after its first render."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "momentum.py"
        src.write_text(edited_scene(None))
        env = {**os.environ, "OPTIROLL_CACHE": str(Path(tmp) / "cache"), "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen([sys.executable, "-m", "optiroll.scenes.cli", "render", str(src),
                                 "-ql", "--watch", "-o", str(Path(tmp) / "m.mp4")], cwd=tmp,
                                env=env, text=True, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                preexec_fn=_ctrl_c_on)
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()

        def until(words: str) -> None:
            while True:
                line = lines.get(timeout=600)
                if words in line:
                    return
                if line.startswith(("failed:", "error:")):
                    raise SystemExit(f"the watched preview failed: {line.strip()}")

        out = []
        try:
            until("watching")
            for lr in EDITED_LRS[:saves]:
                text = edited_scene(lr)
                t0 = time.perf_counter()
                src.write_text(text)
                until("wrote")
                out.append(time.perf_counter() - t0)
                until("watching")
        finally:
            proc.send_signal(signal.SIGINT)  # Ctrl-C: exit status 0
            try:
                code = proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = "none: killed after 60 s"
            if code != 0:
                print(f"  (the watching process did not stop cleanly on Ctrl-C: {code})")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-stock", action="store_true",
                    help="leave out the stock Manim Surface (about a minute)")
    ap.add_argument("--repeats", type=int, default=3,
                    help="preview/encode pairs for the first ratio (default 3)")
    args = ap.parse_args()

    # the preview (first with nothing cached, then again in the same folders: the next
    # preview of an unchanged lesson, then after an edit) and the bare encode alternate,
    # REPEATS times each; the ratios are the median pair's (on a shared 2-core machine
    # one run of either can be a third off)
    flagship = ["-ql", "scenes/momentum.py", "MomentumRavine"]
    pairs, frames = [], []
    for i in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            cold, n, frames = render(flagship, "MomentumRavine", keep=True, folder=Path(tmp))
            warm, _, _ = render(flagship, "MomentumRavine", folder=Path(tmp))
            scene = Path(tmp) / "momentum.py"
            scene.write_text(edited_scene(EDITED_LRS[i % len(EDITED_LRS)]))
            edit, _, _ = render(["-ql", str(scene), "MomentumRavine"], "MomentumRavine",
                                folder=Path(tmp))
        pairs.append((cold, warm, edit, encode_seconds(frames, 15),
                      encode_seconds(frames, 15, PREVIEW_PRESET)))
    h, w = frames[0].shape[:2]
    del frames
    print(f"flagship preview (-ql), {w}x{h} at 15 fps, {n} frames, {len(pairs)} runs each")
    for cold, warm, edit, bare, fast in pairs:
        print(f"  manim render -ql: {cold:5.2f} s, again {warm:5.2f} s, edited {edit:5.2f} s   "
              f"bare encode of its frames: {bare:4.2f} s   ratios {cold / bare:4.2f}x, "
              f"{warm / bare:4.2f}x, {edit / bare:4.2f}x   ({PREVIEW_PRESET}: {fast:4.2f} s)")
    kinds = (("the first preview", 0), ("the next preview", 1),
             ("the preview after an edit (another learning rate)", 2))
    for which, k in kinds:
        median = float(np.median([p[k] / p[3] for p in pairs]))
        print(f"  median ratio preview / encode, {which}: {median:4.2f}x   (target: within 2x)")
    # the preview encodes with a faster x264 preset than Manim's (kit/writer.py); against
    # a bare encode at that preset too, for the record
    for which, k in kinds:
        median = float(np.median([p[k] / p[4] for p in pairs]))
        print(f"  the same against the bare encode at the preview's own preset "
              f"({PREVIEW_PRESET}), {which}: {median:4.2f}x")
    saves = watched_previews(args.repeats)
    bare = float(np.median([p[3] for p in pairs]))
    print("  optiroll render --watch, from each save (another learning rate) to the file "
          "written: "
          + ", ".join(f"{t:.1f} s" for t in saves)
          + f"   median ratio to the median encode: {np.median(saves) / bare:4.2f}x")

    hd = ["-r", "1920,1080", "--fps", "60", "benchmarks/render_scenes.py"]
    t2, n2, f2 = render([*hd, "Race2D"], "Race2D", keep=True)
    bare2 = encode_seconds(f2, 60)
    del f2
    t0, n0, _ = render([*hd, "Race2DStart"], "Race2DStart")
    t3, n3, _ = render([*hd, "Ride3D"], "Ride3D")
    t30, n30, _ = render([*hd, "Ride3DStart"], "Ride3DStart")
    per2 = (t2 - t0) / (n2 - n0)
    per3 = (t3 - t30) / (n3 - n30)
    per_bare = bare2 / n2
    print(f"1080p60, per frame, {n2} frames each")
    print(f"  2-D race (start-up of {t0:.1f} s left out): {per2 * 1e3:6.1f} ms")
    print(f"  bare encode of its frames: {per_bare * 1e3:6.1f} ms")
    print(f"  ratio 2-D / encode:        {per2 / per_bare:6.2f}x   (target: within 1.5x)")
    print(f"  3-D ride (start-up of {t30:.1f} s left out): {per3 * 1e3:6.1f} ms")
    if not args.skip_stock:
        from benchmarks.render_scenes import STOCK_MESH

        ts, ns, _ = render([*hd, "StockSurface3D"], "StockSurface3D")
        ts0, ns0, _ = render([*hd, "StockSurface3DStart"], "StockSurface3DStart")
        per_stock = (ts - ts0) / (ns - ns0)
        print(f"  stock Manim Surface ({STOCK_MESH[0]}x{STOCK_MESH[1]} faces, {ns} "
              f"frames, start-up of {ts0:.1f} s left out): {per_stock * 1e3:6.0f} ms")
        print(f"  ratio stock / 3-D ride:    {per_stock / per3:6.1f}x   (target: at least 15x)")


if __name__ == "__main__":
    main()
