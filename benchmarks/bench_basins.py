"""Chunked rollouts, measured side by side in one run: a basin map of every pixel of a
3840x2160 frame (8.3 million starts) in one process, and on a Dask LocalCluster of two
worker processes (one thread each) on this machine.

Prints starts x steps per second for each, the speed-up, whether the two label arrays
are identical (they must be: each start's arithmetic is its own), each worker's peak
memory against one chunk's, and writes the map as a PNG.

Usage: python benchmarks/bench_basins.py [--size 3840x2160] [--steps 400]
       [--chunk 4096] [--out media/gallery/basins-wells-4k.png]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np
from optiroll import dynamics as dyn
from optiroll.dynamics.basins import basin_map, fit_view
from optiroll.dynamics.distributed import DEFAULT_CHUNK
from optiroll.scenes.basin_image import basin_rgb, write_png

REPO = Path(__file__).resolve().parents[1]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="3840x2160")
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--chunk", type=int, default=DEFAULT_CHUNK)
    ap.add_argument("--out", type=Path, default=REPO / "media" / "gallery" /
                    "basins-wells-4k.png")
    args = ap.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    surface = dyn.surface("wells")
    # a step and a momentum large enough to overshoot: the basins' borders intertwine
    opt = dyn.optimizer("momentum", lr=0.3, beta=0.95)
    view = fit_view(surface.view, width, height)
    n = width * height
    work = n * args.steps
    print(f"basin map of {surface.display_name} under {opt!r}: {width}x{height} = {n:,} "
          f"starts x {args.steps} steps, chunks of {args.chunk:,}")

    t0 = time.perf_counter()
    here = basin_map(surface, opt, width, height, args.steps, view=view, chunk=args.chunk)
    one = time.perf_counter() - t0
    print(f"  one process:            {one:7.1f} s  {work / one / 1e6:6.1f} million "
          f"start-steps/s  (peak memory {_peak_rss_mb():,.0f} MB)")

    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        client.submit(np.zeros, 1).result()  # workers up
        t0 = time.perf_counter()
        there = basin_map(surface, opt, width, height, args.steps, view=view, client=client,
                          chunk=args.chunk)
        two = time.perf_counter() - t0
        peaks = client.run(_peak_rss_mb)
    chunk_mb = args.chunk * (args.steps + 1) * 2 * 8 / 2**20
    print(f"  LocalCluster, 2 workers: {two:7.1f} s  {work / two / 1e6:6.1f} million "
          f"start-steps/s  (worker peaks {', '.join(f'{v:,.0f}' for v in peaks.values())} MB;"
          f" one chunk's positions {chunk_mb:,.0f} MB)")
    print(f"  speed-up: {one / two:.2f}x   identical labels: {np.array_equal(here, there)}")
    for i in range(len(surface.minima)):
        print(f"  minimum {i + 1}: {np.mean(here == i):.1%} of starts")
    write_png(basin_rgb(here, surface, view), args.out)
    print(f"  wrote {args.out.relative_to(REPO) if args.out.is_relative_to(REPO) else args.out}")


if __name__ == "__main__":
    main()
