"""Make the README's gallery: ``python -m scenes.gallery`` (or ``make gallery``).

Renders the flagship and the adaptive example spec at 720p and 25 fps into a
temporary folder, then writes into ``media/gallery/``: PNG stills at the end of
the race, of the plots, mid-way through the 3-D ride and of the closing frame,
and a GIF of the flagship's race (480 px wide, 25 fps, at most 3 MB). Stills
are taken at the lessons' own marks, not at typed-in times. With chromium and
selenium installed (``make test`` installs both), it also builds the adaptive
example's HTML deck and photographs it in the browser, offline, on its race slide.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import av
from manim import tempconfig
from optiroll.scenes.gif import read_frames, write_gif
from optiroll.scenes.lesson import load_spec
from optiroll.scenes.lesson.scene import lesson_class
from optiroll.scenes.momentum import MomentumRavine
from PIL import Image

GALLERY = Path(__file__).resolve().parents[1] / "media" / "gallery"
GIF_LIMIT = 3 * 1024 * 1024


EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "adaptive_trio.toml"
#: the depth-correct 3-D example, and the moments of its ride the README shows (shares
#: of the ride): a ball on the near side of the ridge, then gone behind it
DEPTH_EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "behind_the_hill.toml"
DEPTH_STILLS = {"behind-the-hill-seen.png": 0.14, "behind-the-hill-hidden.png": 0.24}


def render(tmp: Path, scene_class: type = MomentumRavine) -> tuple[Path, dict[str, float]]:
    with tempconfig({"pixel_width": 1280, "pixel_height": 720, "frame_rate": 25,
                     "media_dir": str(tmp), "disable_caching": True, "verbosity": "WARNING",
                     "progress_bar": "none"}):
        scene = scene_class()
        scene.render()
        return Path(scene.renderer.file_writer.movie_file_path), dict(scene.marks)


def frames_at(video: Path, times: list[float]) -> list[Image.Image]:
    """The first frame at or after each time (the last frame past the end), in one pass."""
    pending = sorted(range(len(times)), key=lambda i: times[i])
    out: list[Image.Image | None] = [None] * len(times)
    last = None
    with av.open(str(video)) as c:
        for f in c.decode(video=0):
            last = f
            t = float(f.pts * f.time_base)
            while pending and t >= times[pending[0]]:
                out[pending.pop(0)] = f.to_image()
            if not pending:
                break
    for i in pending:
        out[i] = last.to_image()
    return out


def deck_screenshot(tmp: Path, out: Path) -> None:
    """The adaptive example's HTML deck, opened offline in chromium, on its race slide."""
    import subprocess
    import sys
    import time

    from optiroll.scenes.lesson.slides import headless_browser
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    html = tmp / "deck.html"
    subprocess.run([sys.executable, "-m", "optiroll.scenes.cli", "slides", str(EXAMPLE), "-r",
                    "1280,720", "--fps", "15", "--html", str(html)], check=True,
                   capture_output=True)
    driver = headless_browser(offline=True)
    try:
        driver.get(html.as_uri())
        time.sleep(1.0)
        ActionChains(driver).send_keys(Keys.ARROW_RIGHT).perform()
        time.sleep(6.0)  # well into the race
        driver.save_screenshot(str(out / "deck-in-browser.png"))
    finally:
        driver.quit()
    print(f"wrote {out / 'deck-in-browser.png'}")


#: the moment of each library lesson the README shows
LESSON_STILLS = {"learning_rate": "race", "local_minima": "basins", "nesterov": "plots",
                 "adaptive": "plots", "adam": "plots", "sigmoid": "race",
                 "curvature": "part2-race-start",
                 "saddle": "ride", "stochastic": "race", "why_momentum": "part2-chart"}

#: more stills of a lesson: file name -> (mark, seconds after it)
LESSON_EXTRA_STILLS = {"local_minima": {"local_minima-swarm.png": ("race-start", 2.0)},
                       # Nesterov's turn with arrows, a step before its end: the gradient
                       # taken at the look-ahead point (ring)
                       "nesterov": {"nesterov-lookahead.png": ("arrows-2", -1.0)},
                       "why_momentum": {"why_momentum-parts.png": ("plots", 0.0),
                                        "why_momentum-tuned.png": ("part3-closing", 2.0)}}
#: a still this many seconds after its mark (the mark's own moment shows too little)
LESSON_STILL_DELAY = {"curvature": 2.8}


def lessons(tmp: Path, out: Path) -> None:
    """Each library lesson at -ql (854x480, 15 fps): its still, and how long it took."""
    import time

    from optiroll.scenes.jobs import scene_classes
    from optiroll.scenes.library import LIBRARY, SCENES

    for name, mark in LESSON_STILLS.items():
        (cls,) = scene_classes(SCENES / LIBRARY[name])
        t0 = time.perf_counter()
        with tempconfig({"pixel_width": 854, "pixel_height": 480, "frame_rate": 15,
                         "media_dir": str(tmp / name), "disable_caching": True,
                         "verbosity": "WARNING", "progress_bar": "none"}):
            scene = cls()
            scene.render()
            video = Path(scene.renderer.file_writer.movie_file_path)
        seconds = time.perf_counter() - t0
        extra = {still: scene.marks[at] + later
                 for still, (at, later) in LESSON_EXTRA_STILLS.get(name, {}).items()}
        at = scene.marks[mark] + LESSON_STILL_DELAY.get(name, 0.0)
        save_stills(video, {f"{name}.png": at, **extra}, out)
        print(f"{name}: {scene.renderer.time:.0f} s clip rendered at -ql in {seconds:.0f} s")


def depth_stills(tmp: Path, out: Path) -> None:
    """The depth example at -ql: a ball in front of the ridge, then hidden behind it."""
    with tempconfig({"pixel_width": 854, "pixel_height": 480, "frame_rate": 15,
                     "media_dir": str(tmp / "depth"), "disable_caching": True,
                     "verbosity": "WARNING", "progress_bar": "none"}):
        scene = lesson_class(load_spec(DEPTH_EXAMPLE), "BehindTheHill")()
        scene.render()
        video = Path(scene.renderer.file_writer.movie_file_path)
    rise, ride = scene.marks["rise"], scene.marks["ride"]
    save_stills(video, {name: rise + u * (ride - rise) for name, u in DEPTH_STILLS.items()},
                out)


def save_stills(video: Path, stills: dict[str, float], out: Path) -> None:
    for name, image in zip(stills, frames_at(video, list(stills.values())), strict=True):
        image.save(out / name, optimize=True)
        print(f"wrote {out / name}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=GALLERY)
    ap.add_argument("--lessons", action="store_true",
                    help="only the library lessons' stills (and their -ql render times)")
    ap.add_argument("--depth", action="store_true",
                    help="only the depth-correct 3-D example's stills")
    args = ap.parse_args()
    if not args.out.parent.is_dir():
        raise SystemExit(f"folder {args.out.parent} does not exist; create it first")
    args.out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        depth_stills(Path(tmp), args.out)
        if args.depth:
            return
        lessons(Path(tmp), args.out)
        if args.lessons:
            return
        try:
            deck_screenshot(Path(tmp), args.out)
        except (FileNotFoundError, ImportError) as err:
            print(f"no deck screenshot: {err}")
        example, example_marks = render(Path(tmp) / "example",
                                        lesson_class(load_spec(EXAMPLE), "Adaptive"))
        save_stills(example, {"adaptive-race.png": example_marks["race"],
                              "adaptive-plots.png": example_marks["plots"]}, args.out)
        video, marks = render(Path(tmp))
        save_stills(video, {
            "momentum-race.png": marks["race"],
            "momentum-velocity.png": marks["plots"],
            "momentum-3d.png": (marks["rise"] + marks["ride"]) / 2,
            "momentum-closing.png": marks["closing"] + 0.5,
        }, args.out)
        for width in (480, 400, 320):
            frames = read_frames(video, 25, width, marks["race-start"] - 1.0,
                                 marks["race"] + 1.0)
            size = write_gif(frames, args.out / "momentum-race.gif")
            if size <= GIF_LIMIT:
                break
        print(f"wrote {args.out / 'momentum-race.gif'} ({size / 1e6:.1f} MB, {width} px, 25 fps)")


if __name__ == "__main__":
    main()
