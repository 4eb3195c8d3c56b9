"""Render speed, as ratios measured side by side in one run.

1. The flagship's 2-D race (ravine contour map, three balls with trails, 50
   iterations over 10 s) rendered by optiroll/Manim at 1080p60 to MP4, next to
   the same animation in matplotlib FuncAnimation (same surface and contour
   levels, same frame count and size), also written to H.264 MP4 through PyAV
   (there is no ffmpeg binary here; both use the same libx264).
2. The cost per frame of the 3-D ride (SurfaceView, moving camera) next to the
   2-D race's, both at 1080p60 through Manim.

Usage: python benchmarks/bench_render.py [--quick] [--repeats N]
(--quick: 480p15, for a smoke run). Needs matplotlib: `make bench` installs it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def manim_seconds(scene: str, res: tuple[int, int], fps: int) -> tuple[float, int]:
    """Wall time and frame count of ``manim render`` of one benchmark scene."""
    from benchmarks.bench_preview import render

    seconds, frames, _ = render(["-r", f"{res[0]},{res[1]}", "--fps", str(fps),
                                 "benchmarks/render_scenes.py", scene], scene)
    return seconds, frames


def pyav_writer(fps: int):
    """A matplotlib MovieWriter that encodes H.264 yuv420p with PyAV."""
    import av
    from matplotlib.animation import AbstractMovieWriter

    class PyAVWriter(AbstractMovieWriter):
        def setup(self, fig, outfile, dpi=None):  # noqa: ANN001
            super().setup(fig, outfile, dpi)
            w, h = fig.canvas.get_width_height()
            self.container = av.open(str(outfile), "w")
            self.stream = self.container.add_stream("libx264", rate=self.fps)
            self.stream.width, self.stream.height, self.stream.pix_fmt = w, h, "yuv420p"

        def grab_frame(self, **savefig_kwargs):  # noqa: ANN003
            self.fig.canvas.draw()
            rgba = np.asarray(self.fig.canvas.buffer_rgba())
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgba[..., :3]),
                                               format="rgb24")
            for packet in self.stream.encode(frame):
                self.container.mux(packet)

        def finish(self):
            for packet in self.stream.encode():
                self.container.mux(packet)
            self.container.close()

    return PyAVWriter(fps=fps)


def matplotlib_seconds(res: tuple[int, int], fps: int, frames: int) -> float:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation
    from matplotlib.colors import ListedColormap
    from optiroll.scenes.kit import theme
    from optiroll.scenes.kit.contour import grid_shape
    from optiroll.scenes.kit.levels import LevelScale

    from benchmarks.render_scenes import RACE_MAP, STEPS, lesson

    t0 = time.perf_counter()
    s, runs, colors = lesson()
    xs, ys, Z = s.grid(*grid_shape(*RACE_MAP))  # the Manim contour map's own grid
    levels = LevelScale(Z).levels  # so the same levels
    fig = plt.figure(figsize=(res[0] / 100, res[1] / 100), dpi=100, facecolor=theme.BACKGROUND)
    ax = fig.add_axes((0.08, 0.12, 0.86, 0.8), facecolor=theme.BACKGROUND)
    ink = ListedColormap(theme.colormap(np.linspace(1.0, 0.0, 256)))  # our loss map
    ax.contour(xs, ys, Z, levels=levels, cmap=ink, linewidths=1.5)
    ax.set_xlim(*s.view[0])
    ax.set_ylim(*s.view[1])
    trails = [ax.plot([], [], color=c, lw=2)[0] for c in colors]
    balls = [ax.plot([], [], "o", color=c, ms=14, mec="white")[0] for c in colors]

    def update(i: int):
        it = i / (frames - 1) * STEPS
        k = int(np.floor(it))
        for r, line, ball in zip(runs, trails, balls, strict=True):
            head = r.positions[min(k + 1, STEPS)] * (it - k) + r.positions[k] * (1 - it + k)
            pts = np.vstack([r.positions[: k + 1], head])
            line.set_data(pts[:, 0], pts[:, 1])
            ball.set_data([head[0]], [head[1]])
        return [*trails, *balls]

    anim = FuncAnimation(fig, update, frames=frames, blit=True)
    with tempfile.TemporaryDirectory() as tmp:
        anim.save(Path(tmp) / "race.mp4", writer=pyav_writer(fps), dpi=100)
    plt.close(fig)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="480p15 instead of 1080p60")
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args()
    res, fps = ((854, 480), 15) if args.quick else ((1920, 1080), 60)
    ours, mpl, ride, stock = [], [], [], []
    frames = frames3d = frames_stock = 0
    for _ in range(args.repeats):
        t, frames = manim_seconds("Race2D", res, fps)
        ours.append(t)
        mpl.append(matplotlib_seconds(res, fps, frames))
        t3, frames3d = manim_seconds("Ride3D", res, fps)
        ride.append(t3)
        ts, frames_stock = manim_seconds("StockSurface3D", res, fps)
        stock.append(ts)
    o, m, r3, st = (statistics.median(v) for v in (ours, mpl, ride, stock))
    print(f"2-D race, {res[0]}x{res[1]} at {fps} fps, {frames} frames to MP4 "
          f"(median of {args.repeats})")
    print(f"  optiroll (Manim + kit):   {o:7.1f} s  ({o / frames * 1e3:6.1f} ms/frame)")
    print(f"  matplotlib FuncAnimation: {m:7.1f} s  ({m / frames * 1e3:6.1f} ms/frame)")
    print(f"  ratio matplotlib / optiroll: {m / o:5.2f}x")
    print(f"3-D ride, same size and rate, {frames3d} frames:")
    print(f"  3-D per frame:            {r3 / frames3d * 1e3:6.1f} ms")
    print(f"  2-D per frame:            {o / frames * 1e3:6.1f} ms")
    print(f"  ratio 3-D / 2-D:          {(r3 / frames3d) / (o / frames):5.2f}x")
    from benchmarks.render_scenes import STOCK_MESH

    # the stock run is only a few frames long, so its start-up (about 2 s) is included:
    # the per-frame figure slightly overstates the stock cost
    per_stock = st / frames_stock
    print(f"stock Manim Surface, {STOCK_MESH[0]}x{STOCK_MESH[1]} faces, moving camera, "
          f"{frames_stock} frames:")
    print(f"  per frame (start-up included): {per_stock * 1e3:8.0f} ms")
    print(f"  ratio stock / SurfaceView:     {per_stock / (r3 / frames3d):8.1f}x")


if __name__ == "__main__":
    main()
