"""Turn a rendered MP4 into a GIF that fits in a slide deck.

    python -m optiroll.scenes.gif media/videos/momentum/480p15/MomentumRavine.mp4 [--width 640]

Manim's own ``--format gif`` stores every frame whole (about 190 MB for the
flagship at 480p). This re-encodes the MP4 with Pillow: frames resampled to 25
(or 50) fps, since GIF delays are whole centiseconds, a fast-octree palette per
frame (which keeps the run colours), and only the changed region of each frame
stored. The GIF is written next to the
MP4 (or to ``--out``) atomically: a failed run leaves no partial file.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import av
from PIL import Image

from .kit import theme
from .kit.colors import hex_to_rgb

GIF_RATES = (25, 50)


def read_frames(video: Path, fps: int = 25, width: int | None = None, start: float = 0.0,
                end: float = math.inf) -> list[Image.Image]:
    """Frames of ``video`` at ``fps`` (nearest earlier frame) between ``start`` and ``end``."""
    out: list[Image.Image] = []
    next_t = start
    img, t = None, 0.0
    with av.open(str(video)) as c:
        src_fps = float(c.streams.video[0].average_rate or fps)
        for f in c.decode(video=0):
            t = float(f.pts * f.time_base)
            if t > end + 1e-9:
                break
            img = None
            while t + 1e-9 >= next_t and next_t <= end + 1e-9:
                if img is None:
                    img = _sized(f.to_image(), width)
                out.append(img)
                next_t += 1.0 / fps
            if img is None:
                img = f  # keep the frame; convert only if it is needed below
    # the last frame is shown until the video ends, one source frame later
    stop = min(end, t + 1.0 / src_fps)
    while next_t < stop - 1e-9 and img is not None:
        if isinstance(img, av.VideoFrame):
            img = _sized(img.to_image(), width)
        out.append(img)
        next_t += 1.0 / fps
    return out


def _sized(img: Image.Image, width: int | None) -> Image.Image:
    if width and img.width != width:
        return img.resize((width, round(img.height * width / img.width)), Image.LANCZOS)
    return img


#: colours every frame's palette holds exactly: the runs', the text's and the background
RESERVED = (*theme.PALETTE, theme.FOREGROUND, theme.MUTED, theme.BACKGROUND)


def paletted(frame: Image.Image, colors: int = 96) -> Image.Image:
    """``frame`` in a palette of ``colors``: a fast octree of the frame's own colours
    (it keeps small saturated areas, balls, trails and legend dots, that the median-cut
    palette merged into greys) plus the :data:`RESERVED` theme colours exactly, each
    pixel the nearest of them; no dithering: flat areas stay flat. Without the reserved
    entries a ball over a 3-D surface's many shades came out up to 5 CIEDE2000 units off
    its colour."""
    octree = frame.quantize(colors=colors - len(RESERVED), method=Image.Quantize.FASTOCTREE,
                            dither=Image.Dither.NONE)
    entries = octree.getpalette()[:3 * (colors - len(RESERVED))]
    for color in RESERVED:
        entries += [round(v * 255) for v in hex_to_rgb(color)]
    palette = Image.new("P", (1, 1))
    palette.putpalette(entries)
    return frame.convert("RGB").quantize(palette=palette, dither=Image.Dither.NONE)


def write_gif(frames: list[Image.Image], path: Path, fps: int = 25, colors: int = 96) -> int:
    """Write ``frames`` as a looping GIF at ``fps``; returns its size in bytes."""
    if fps not in GIF_RATES:
        raise ValueError(f"fps must be 25 or 50 (GIF delays are whole centiseconds), got {fps}")
    if not frames:
        raise ValueError("no frames to write: check the video and the start/end times")
    if not path.parent.is_dir():
        raise ValueError(f"folder {str(path.parent)!r} does not exist; create it first")
    pal = [paletted(f, colors) for f in frames]
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        pal[0].save(tmp, format="GIF", save_all=True, append_images=pal[1:],
                    duration=1000 // fps, loop=0, optimize=True, disposal=1)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path.stat().st_size


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m optiroll.scenes.gif", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("video", type=Path)
    ap.add_argument("--out", type=Path, help="default: the video's name with .gif")
    ap.add_argument("--fps", type=int, default=25, choices=GIF_RATES)
    ap.add_argument("--width", type=int, help="resize to this width in pixels")
    ap.add_argument("--start", type=float, default=0.0, help="seconds")
    ap.add_argument("--end", type=float, default=math.inf, help="seconds")
    args = ap.parse_args(argv)
    if not args.video.is_file():
        ap.error(f"no video at {args.video}; render one first, e.g. "
                 "`manim render -ql scenes/momentum.py`")
    out = args.out or args.video.with_suffix(".gif")
    try:
        size = write_gif(read_frames(args.video, args.fps, args.width, args.start, args.end),
                         out, args.fps)
    except ValueError as err:
        ap.error(str(err))
    print(f"wrote {out} ({size / 1e6:.1f} MB, {args.fps} fps)")


if __name__ == "__main__":
    main()
