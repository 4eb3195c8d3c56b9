"""Render jobs: one lesson in, one file out, in a process and a folder of its own.

A :class:`Job` is self-contained data (where the lesson is, how to render it,
where the file goes), so it can run in this process, in a worker process, or
later on another machine unchanged. :func:`run` renders in a fresh temporary
working folder (Manim's text cache, its SVG temp files, partial movies and
manim-slides' ``./slides`` are all relative to the working folder or the media
folder, so parallel jobs sharing one race) and moves the result to its output
path only when it is complete: a failed job leaves nothing there.
"""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import logging
import os
import re
import shlex
import shutil
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .kit.temp_folders import own_folder

QUALITIES = {
    "l": ("low_quality", 854, 480, 15), "m": ("medium_quality", 1280, 720, 30),
    "h": ("high_quality", 1920, 1080, 60), "p": ("production_quality", 2560, 1440, 60),
    "k": ("fourk_quality", 3840, 2160, 60),
}
FORMATS = ("mp4", "gif", "webm", "mov", "png")
GIF_RATES = (25, 50)


class JobError(Exception):
    """A job that cannot run as asked: the message names the problem and the fix."""


@dataclass(frozen=True)
class Options:
    """How to render: Manim's own flags, with the same meanings."""

    quality: str = "h"
    resolution: tuple[int, int] | None = None
    fps: int | None = None
    format: str = "mp4"
    transparent: bool = False
    last_frame: bool = False
    #: render only these acts of a lesson, consecutive (``--act``); empty: all of them
    acts: tuple[str, ...] = ()
    #: the cores a lesson's render may use in its process (``--cores``; each draws a
    #: stretch in a forked copy, :mod:`~optiroll.scenes.lesson.pieces`); None: every core
    cores: int | None = None

    @property
    def size(self) -> tuple[int, int]:
        _, w, h, _ = QUALITIES[self.quality]
        return self.resolution or (w, h)

    @property
    def frame_rate(self) -> int:
        if self.fps:
            return self.fps
        rate = QUALITIES[self.quality][3]
        return 25 if self.format == "gif" else rate

    @property
    def extension(self) -> str:
        """The output's suffix ('' for a folder of PNG frames)."""
        if self.last_frame:
            return ".png"
        if self.format == "png":
            return ""
        if self.transparent and self.format == "mp4":
            return ".mov"  # H.264 has no alpha channel: Manim writes QuickTime
        return f".{self.format}"

    def stem(self, name: str) -> str:
        """The default output name of lesson ``name`` without its suffix:
        ``momentum_480p15``, or ``momentum_act-replay_480p15`` for some of its acts."""
        acts = "-".join(self.acts)
        return f"{name}_act-{acts}_{self.tag()}" if acts else f"{name}_{self.tag()}"

    def tag(self) -> str:
        """``480p15``, as Manim names its quality folders."""
        w, h = self.size
        return f"{h}p" if self.last_frame else f"{h}p{self.frame_rate}"

    def check(self) -> None:
        if self.fps is not None and not 1 <= self.fps <= 240:
            raise JobError(f"--fps {self.fps}: frames per second must be 1 to 240")
        if self.format not in FORMATS:
            raise JobError(f"unknown format {self.format!r}; choose from {', '.join(FORMATS)}")
        if self.format == "gif" and self.transparent:
            raise JobError("a GIF has no alpha channel here; use --format webm or png with -t")
        if self.format == "gif" and self.frame_rate not in GIF_RATES:
            raise JobError(f"GIF frame delays are whole centiseconds: use --fps 25 or 50 for a "
                           f"GIF (got --fps {self.fps})")
        if self.last_frame and self.format not in ("png", "mp4"):
            raise JobError("-s saves the last frame as a PNG; leave out --format")
        w, h = self.size
        if w < 16 or h < 16 or w % 2 or h % 2:
            raise JobError(f"-r {w},{h}: width and height must be even numbers of at least 16 "
                           "pixels (video encoders need even sizes)")
        if max(w, h) > MAX_SIDE:
            raise JobError(f"-r {w},{h}: at most {MAX_SIDE} pixels a side (H.264's largest "
                           "frames; -qk is 3840,2160)")


#: the longest side of a frame (H.264's largest level, 6.2, stops at 8192 pixels; a frame
#: of 100,000 pixels a side had failed the render with a MemoryError of 37 GiB)
MAX_SIDE = 8192


@dataclass(frozen=True)
class Job:
    """One lesson to render: a ``.toml`` spec or a scene file (and scene name)."""

    name: str
    path: Path
    out: Path
    options: Options = field(default_factory=Options)
    scene: str | None = None
    #: the ``manim.cfg`` of the folder the command ran in (Manim reads it from the
    #: working folder, which a job replaces with its own)
    config_file: Path | None = None
    #: a slide deck instead of a clip: the HTML file and/or the PPTX to write
    html: Path | None = None
    pptx: Path | None = None

    @property
    def is_spec(self) -> bool:
        return self.path.suffix.lower() == ".toml"

    @property
    def is_deck(self) -> bool:
        return self.html is not None or self.pptx is not None


@dataclass(frozen=True)
class Result:
    name: str
    ok: bool
    out: Path | None = None
    message: str = ""
    #: True when the failure is the input's fault (exit status 2)
    bad_input: bool = False


# -- loading a lesson ----------------------------------------------------------------
def scene_classes(path: Path) -> list[type]:
    """The Scene classes a scene file defines (not those it imports)."""
    from manim import Scene

    name = "optiroll_scene_" + "".join(c if c.isalnum() else "_" for c in path.stem)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise JobError(f"{path}: cannot be loaded as a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError:
        raise  # describe_error names the file and line
    except Exception as err:  # noqa: BLE001 - the file's own error: bad input
        raise JobError(_load_error(path, err)) from err
    return [obj for _, obj in inspect.getmembers(module, inspect.isclass)
            if issubclass(obj, Scene) and obj is not Scene and obj.__module__ == name]


def _load_error(path: Path, err: Exception) -> str:
    """One message for an error raised while a scene file runs (its imports, its class
    bodies): where in the file, and what (a spec's problems one line each, as a TOML
    spec's)."""
    from pydantic import ValidationError

    lines = [f.lineno for f in traceback.extract_tb(err.__traceback__)
             if Path(f.filename).resolve() == path.resolve()]
    where = f"{path}:{lines[-1]}" if lines else str(path)
    if isinstance(err, ValidationError):
        from .lesson.loading import describe

        return "\n".join(describe(err, where))
    return f"{where}: {type(err).__name__}: {err}"


def load_scene(job: Job) -> type:
    """The Scene class of a job (a spec becomes a Lesson subclass)."""
    if job.is_spec:
        from .lesson import load_spec
        from .lesson.scene import lesson_class

        return lesson_class(load_spec(job.path), _class_name(job.name))
    return pick_scene(job.path, job.scene)


def pick_scene(path: Path, scene: str | None = None) -> type:
    """The Scene class ``scene`` of a scene file, or its only one when ``scene`` is None."""
    classes = scene_classes(path)
    if scene:
        found = [c for c in classes if c.__name__ == scene]
        if not found:
            raise JobError(f"{path} has no scene {scene!r}; it has "
                           f"{', '.join(c.__name__ for c in classes) or 'none'}")
        return found[0]
    if not classes:
        raise JobError(f"{path} defines no scene: a lesson file needs a class deriving from "
                       "Lesson (or a Manim Scene): see the README's \"Write your own "
                       "scene\"")
    if len(classes) > 1:
        names = ", ".join(c.__name__ for c in classes)
        raise JobError(f"{path} defines {len(classes)} scenes ({names}); name one: "
                       f"optiroll render {shlex.quote(f'{path}:SceneName')}")
    return classes[0]


def _class_name(name: str) -> str:
    parts = "".join(c if c.isalnum() else " " for c in name).split()
    out = "".join(p[:1].upper() + p[1:] for p in parts) or "Lesson"
    return out if out[0].isalpha() else "Lesson" + out


# -- running -------------------------------------------------------------------------
#: the working folder and Manim's config are the process's: one render at a time in it
#: (a Dask worker with several threads queues its renders here)
_ONE_RENDER_AT_A_TIME = threading.RLock()


@contextlib.contextmanager
def working_folder() -> Iterator[Path]:
    """A fresh temporary folder as the current working folder, removed afterwards; one
    at a time per process."""
    with _ONE_RENDER_AT_A_TIME:
        yield from _in_fresh_folder()


def _in_fresh_folder() -> Iterator[Path]:
    old = Path.cwd()
    tmp = own_folder("job")
    os.chdir(tmp)
    try:
        yield tmp
    finally:
        os.chdir(old)
        shutil.rmtree(tmp, ignore_errors=True)


def manim_config(options: Options, media: Path) -> dict[str, Any]:
    w, h = options.size
    movie = {".webm": ".webm", ".mov": ".mov"}.get(options.extension, ".mp4")
    return {
        # first: Manim warns when the format or the alpha channel changes the extension
        "movie_file_extension": movie,
        "pixel_width": w, "pixel_height": h, "frame_rate": options.frame_rate,
        # a transparent mp4 is a .mov (Manim would switch, with a warning)
        "format": "png" if options.format == "png" else (
            "mp4" if options.format == "gif" else "mov" if options.extension == ".mov"
            else options.format),
        "transparent": options.transparent, "save_last_frame": options.last_frame,
        "write_to_movie": not options.last_frame and options.format != "png",
        "media_dir": str(media), "disable_caching": True, "progress_bar": "none",
        "verbosity": "WARNING", "preview": False,
    }


def run(job: Job, report: Callable[[str, int], None] | None = None,
        debug: bool = False) -> Result:
    """Render ``job``; ``report(name, n)`` gets ``-total`` once, then frames as written."""
    try:
        job.options.check()
        with working_folder() as tmp:
            produced, title = _render(job, tmp / "media", report)
            if job.is_deck:
                _deliver_deck(job, produced.name, tmp, title)
            else:
                _deliver(job, produced, tmp)
        return Result(job.name, True, job.out)
    except Exception as err:  # noqa: BLE001 - every failure becomes one clear line
        return _failure(job, err, debug)


def _render(job: Job, media: Path, report: Callable[[str, int], None] | None
            ) -> tuple[Path, str | None]:
    """What the render of ``job`` wrote, and the lesson's title (its first part's; None
    for a plain Scene)."""
    scene = render_scene(job, media, report)
    chapters = getattr(scene, "chapters", None)
    title = chapters[0].prepared.spec.title if chapters else None
    if job.is_deck:  # manim-slides wrote ./slides/<Scene>.json and its videos
        return Path("slides") / type(scene).__name__, title
    if job.options.last_frame:
        return _newest(media, "*.png"), title
    if job.options.format == "png":
        frames = sorted(media.rglob("*.png"))
        if not frames:
            raise JobError("the scene wrote no frames")
        return frames[0].parent, title
    return Path(scene.renderer.file_writer.movie_file_path), title


def render_scene(job: Job, media: Path, report: Callable[[str, int], None] | None,
                 hook: Callable[[Any], None] | None = None, **overrides: Any) -> Any:
    """Render ``job``'s scene into ``media`` under its options (and Manim config
    ``overrides``, e.g. an animation range); ``hook(scene)`` runs before the render.
    Return the finished Scene."""

    from .lesson.scene import Lesson

    cls = load_scene(job)
    lesson = issubclass(cls, Lesson)
    if job.is_deck:
        if not lesson:
            raise JobError(f"{job.path.name}: slides need a lesson (a .toml spec or a Lesson "
                           f"subclass); {cls.__name__} is a plain Scene")
        from .lesson.slides import slide_class

        cls = slide_class(cls)  # (its progress bars follow Manim's: progress_bar "none")
    if job.options.acts:
        if not lesson:
            raise JobError(ACTS_NEED_A_LESSON.format(cls=cls.__name__))
        cls = _only_acts(cls, job)
        hook = _also(replay_skipped_hook(), hook)
    if lesson and job.options.cores is not None and not job.is_deck:
        cls = type(cls.__name__, (cls,), {"cores": job.options.cores,
                                          "__module__": cls.__module__})
    if report is not None and lesson:  # a lesson reports its planned length, then frames
        cls = type(cls.__name__, (cls,), {"progress": staticmethod(
            lambda n: report(job.name, n)), "__module__": cls.__module__})
    # the render may run in the command's own process: every logger level it changes is
    # put back, however it ends
    logs = [logging.getLogger(name) for name in ("manim", "manim-slides")]
    levels = [log.level for log in logs]
    try:
        return _render_configured(cls, job, media, report, lesson, hook, overrides)
    finally:
        for log, level in zip(logs, levels, strict=True):
            log.setLevel(level)


def _render_configured(cls: type, job: Job, media: Path,
                       report: Callable[[str, int], None] | None, lesson: bool,
                       hook: Callable[[Any], None] | None, overrides: dict[str, Any]) -> Any:
    """:func:`render_scene`'s render of ``cls`` under the job's Manim config."""
    from manim import config, tempconfig

    manim_log = logging.getLogger("manim")
    if job.is_deck:
        logging.getLogger("manim-slides").setLevel(logging.WARNING)
    with tempconfig({}):
        manim_log.setLevel(logging.WARNING)  # digest_file logs at INFO
        if job.config_file is not None:
            config.digest_file(str(job.config_file))
        manim_log.setLevel(logging.ERROR)  # "webm can be slower": the user asked for it
        try:
            config.update(manim_config(job.options, media))
            config.update(overrides)
        finally:
            manim_log.setLevel(logging.WARNING)
        scene = cls()
        if report is not None and not lesson:  # any other scene: frames as written
            add_frame = scene.renderer.add_frame

            def counted(frame: object, num_frames: int = 1) -> None:
                add_frame(frame, num_frames)
                if not scene.renderer.skip_animations:
                    report(job.name, num_frames)

            scene.renderer.add_frame = counted
        if job.options.format == "png" and not job.options.last_frame:
            _every_frame_a_file(scene.renderer.file_writer)
        if hook is not None:
            hook(scene)
        scene.render()
        return scene


#: why ``--act`` refuses a plain Manim Scene (``{cls}``: its name)
ACTS_NEED_A_LESSON = ("--act picks acts of a lesson; {cls} is a plain Manim scene: leave "
                      "out --act (manim render -n START,END picks animations)")


def _only_acts(cls: type, job: Job) -> type:
    """``cls`` drawing only the acts ``job`` asks for (its ``setup()`` checks them)."""
    return type(cls.__name__, (cls,), {"only_acts": job.options.acts,
                                       "__module__": cls.__module__})


def replay_skipped_hook() -> Callable[[Any], None]:
    """The split renders' frame-by-frame replay of skipped animations (so the first
    drawn frame is the one a whole render draws there)."""
    from .kit.stepping import replay_skipped

    return replay_skipped


def _also(first: Callable[[Any], None],
          then: Callable[[Any], None] | None) -> Callable[[Any], None]:
    """A scene hook running ``first``, then ``then`` (when given)."""
    def both(scene: Any) -> None:
        first(scene)
        if then is not None:
            then(scene)
    return both


def _every_frame_a_file(writer: Any) -> None:
    """Manim saves a held frame (a wait, a still play) as one PNG however many frames it
    lasts; save it once and copy the file for each further frame, so the folder holds
    one file per frame of the clip (played back at the frame rate, it lasts as long)."""
    from manim import config

    write = writer.write_frame

    def name(k: int) -> str:
        stem, pad = writer.image_file_path.parent / writer.image_file_path.stem, config.zero_pad
        return f"{stem}{str(k).zfill(pad) if pad else k}{writer.image_file_path.suffix}"

    def write_frame(frame: Any, num_frames: int = 1) -> None:
        write(frame, 1)
        last = name(writer.frame_count - 1)
        for _ in range(num_frames - 1):
            shutil.copyfile(last, name(writer.frame_count))
            writer.frame_count += 1

    writer.write_frame = write_frame


def _newest(folder: Path, pattern: str) -> Path:
    found = sorted(folder.rglob(pattern), key=lambda p: p.stat().st_mtime)
    if not found:
        raise JobError("the scene wrote no image")
    return found[-1]


def _deliver(job: Job, produced: Path, tmp: Path) -> None:
    """Make the final file (or folder of frames) in the job's folder, then move it to
    ``job.out`` whole."""
    final = produced
    if job.options.format == "gif" and not job.options.last_frame:
        from .gif import read_frames, write_gif

        final = tmp / "out.gif"
        write_gif(read_frames(produced, job.options.frame_rate), final,
                  job.options.frame_rate)
    elif produced.is_dir():  # a PNG sequence, named after the lesson
        problem = frames_folder_problem(job.out, job.name)  # again: it may have changed
        if problem:
            raise JobError(f"--out {job.out}: {problem}")
        final = tmp / "frames"
        final.mkdir()
        for i, frame in enumerate(sorted(produced.glob("*.png"), key=_frame_number)):
            shutil.copyfile(frame, final / f"{job.name}_{i:04d}.png")
    _move_into_place(final, job.out)


def _frame_number(path: Path) -> int:
    """The number Manim ends a frame's file name with (past 9999 frames names are no
    longer sorted by their text)."""
    digits = re.search(r"(\d+)$", path.stem)
    return int(digits.group(1)) if digits else -1


def _deliver_deck(job: Job, scene_name: str, tmp: Path, title: str | None = None) -> None:
    """Build the deck in the job's folder, then move each file into place whole."""
    from .lesson.slides import assets_folder, build_deck

    built = tmp / "deck"
    built.mkdir()
    html = built / job.html.name if job.html is not None else None
    pptx = built / job.pptx.name if job.pptx is not None else None
    build_deck(scene_name, tmp / "slides", html, pptx, job.options.size, title=title)
    if pptx is not None and job.pptx is not None:
        _move_into_place(pptx, job.pptx)
    if html is not None and job.html is not None:
        _move_into_place(assets_folder(html), assets_folder(job.html))
        _move_into_place(html, job.html)


def frames_folder_problem(folder: Path, name: str) -> str | None:
    """Why ``folder`` cannot take ``name``'s PNG frames, or None: it must not exist yet,
    or be empty, or hold only an earlier render's frames of that lesson (those are
    replaced; nothing else in it is ever deleted)."""
    if not folder.exists():
        return None
    if not folder.is_dir():
        return ("is a file; --format png writes a folder of frames: give a folder name "
                "that does not exist yet")
    frame = re.compile(rf"{re.escape(name)}_\d{{4,}}\.png")  # <lesson>_0000.png
    others = [p.name for p in folder.iterdir() if not frame.fullmatch(p.name)]
    if others:
        shown = ", ".join(sorted(others)[:3]) + (", ..." if len(others) > 3 else "")
        return (f"the folder holds other files ({shown}); --format png fills a folder of "
                "its own: give a new folder name")
    return None



def _move_into_place(src: Path, dest: Path) -> None:
    """Copy ``src`` (a file or a folder) beside ``dest`` under a hidden name, then rename
    it onto ``dest``: a reader sees the old one or the new one, never half of one."""
    staging = dest.parent / f".{dest.name}.optiroll-tmp"
    try:
        if src.is_dir():
            shutil.copytree(src, staging)
            if dest.is_dir():
                shutil.rmtree(dest)
        else:
            shutil.copyfile(src, staging)
        os.replace(staging, dest)
    finally:
        if staging.is_dir():
            shutil.rmtree(staging, ignore_errors=True)
        else:
            staging.unlink(missing_ok=True)


def _failure(job: Job, err: Exception, debug: bool) -> Result:
    message, bad = describe_error(err, debug)
    return Result(job.name, False, None, message, bad)


def describe_error(err: BaseException, debug: bool = False) -> tuple[str, bool]:
    """One message for an error and whether it is bad input (a spec, name or file the user
    can fix: the message says how) rather than a failure in code (the message names the
    file and line; ``debug`` appends the whole traceback)."""
    from optiroll.dynamics import OptirollError

    from .lesson import SpecError

    bad = isinstance(err, SpecError | OptirollError | JobError)
    if bad:
        message = str(err)
    elif isinstance(err, SyntaxError):
        bad = True  # in the user's scene file
        message = (f"SyntaxError: {err.msg} (in {err.filename or '?'}, line {err.lineno})")
    else:
        frames = traceback.extract_tb(err.__traceback__)
        copied = getattr(err, "piece_frames", None)  # raised in a forked copy (lesson/pieces)
        if copied:
            frames = [traceback.FrameSummary(f, n, name) for f, n, name in copied]
        where = frames[-1] if frames else None
        bad = where is not None and _user_code(where.filename)  # raised by the user's code
        if bad:
            message = (f"{Path(where.filename).name}:{where.lineno}: {type(err).__name__}: "
                       f"{err} (raised by the lesson's own code)")
        elif where is not None:
            message = (f"{type(err).__name__}: {err} (in {Path(where.filename).name}, line "
                       f"{where.lineno}; run with --debug for the whole traceback)")
        else:
            message = f"{type(err).__name__}: {err}"
    if debug:
        message += "\n" + "".join(traceback.format_exception(err))
    return message, bad


#: where optiroll's own code and the installed libraries live: an error raised anywhere
#: else was raised by the user's own scene file (a hook, a helper)
_NOT_USER = tuple(str(p) + os.sep for p in {
    Path(__file__).resolve().parent, Path(__file__).resolve().parents[1] / "dynamics",
    Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
    Path(sys.exec_prefix).resolve()})


def _user_code(filename: str) -> bool:
    """Whether a traceback frame is in a file the user wrote (not optiroll's, Python's or
    an installed library's; not ``<frozen ...>``)."""
    if filename.startswith("<"):
        return False
    return not str(Path(filename).resolve()).startswith(_NOT_USER)
