"""``optiroll``: render, check, list and start lessons from the command line.

    optiroll render examples/adaptive_trio.toml -ql        # a spec, a scene file or a library name
    optiroll render momentum adaptive --jobs 2 -ql    # several at once, one progress row each
    optiroll render my_lesson.toml -ql --watch        # again at each save, until Ctrl-C
    optiroll check my_lesson.toml                     # validate without rendering
    optiroll list surfaces                            # the catalogs, one line each
    optiroll new my_lesson                            # a commented starter spec

Quality and output flags mean what they mean to ``manim render``. Bad input
(an unknown name, a typo in a spec, a missing folder) gets one line naming the
problem and the fix, and exit status 2; nothing is written at the output path.
"""

from __future__ import annotations

import shlex
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import click
import numpy as np
from optiroll.dynamics.distributed import DEFAULT_CHUNK, Executor
from optiroll.dynamics.surfaces import Surface

from .jobs import FORMATS, QUALITIES, Job, JobError, Options, Result, frames_folder_problem

EXIT_BAD_INPUT = 2
DEFAULT_FOLDER = Path("media") / "lessons"
SUFFIXES = {".mp4": "mp4", ".gif": "gif", ".webm": "webm", ".mov": "mov", ".png": "png"}
#: the longest side of a basin map (100000x100000, ten billion starts, had run for hours)
MAX_BASIN_SIDE = 16384


def mkdir_hint(folder: Path) -> str:
    """``(mkdir -p FOLDER)``, the folder quoted for the shell."""
    return f"(mkdir -p {shlex.quote(str(folder))})"


def fail(message: str) -> None:
    """Print one clear message and stop with exit status 2."""
    click.echo(f"error: {message}", err=True)
    raise SystemExit(EXIT_BAD_INPUT)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="optiroll")
def main() -> None:
    """Exact, animated, lecture-ready pictures of gradient-descent optimizers."""


def quality_options(command):
    """Manim's quality flags, shared by `render` and `slides`."""
    command = click.option("--fps", "--frame_rate", "fps", type=click.IntRange(1, 240),
                           help="frames per second")(command)
    command = click.option("-r", "--resolution", metavar="W,H",
                           help="pixel size, e.g. -r 1280,720")(command)
    return click.option("-q", "--quality", type=click.Choice(list(QUALITIES)), multiple=True,
                        callback=_one_quality, help="l 480p15, m 720p30, h 1080p60, p 1440p60, "
                        "k 2160p60 (as manim: -ql -qm -qh -qp -qk)  [default: h]")(command)


def _one_quality(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> str:
    """The one quality asked for (``h`` when none): ``-ql -qh`` had rendered 1080p60, the
    last one, without a word."""
    if len(set(values)) > 1:
        raise click.BadParameter(f"given {len(values)} times ({', '.join('-q' + v for v in values)}"
                                 "): keep one", ctx, param)
    return values[0] if values else "h"


# -- render -------------------------------------------------------------------------
@main.command()
@click.argument("lessons", nargs=-1, required=True)
@quality_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="output format (default mp4, or the --out suffix's)")
@click.option("-t", "--transparent", is_flag=True, help="transparent background "
              "(webm, mov, png)")
@click.option("-s", "--save_last_frame", "last_frame", is_flag=True,
              help="save the last frame as a PNG")
@click.option("-o", "--out", type=click.Path(path_type=Path),
              help="output file (one lesson) or existing folder (several)")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="parallel processes on this machine  [default: 1, or --split's K]")
@click.option("--scheduler", metavar="ADDRESS",
              help="render on a Dask cluster: its scheduler's address, e.g. tcp://host:8786 "
              "(needs the [cluster] extra)")
@click.option("--split", type=click.IntRange(1, 64), default=1, metavar="K",
              help="render each lesson's animations in K ranges in parallel and join them "
              "without re-encoding (the same video)")
@click.option("--cores", type=click.IntRange(1, 64), default=None, metavar="N",
              help="draw a lone lesson on N cores, each drawing a stretch of it in a forked "
              "copy of this process (the same video)  [default: every core, at most 4; 1: "
              "one process]")
@click.option("--act", "acts", multiple=True, metavar="NAME",
              help="render only this act (repeat for consecutive acts; `optiroll check` "
              "lists them): the acts before it are played without drawing")
@click.option("--watch", is_flag=True,
              help="render again each time the lesson's file is saved (Ctrl-C to stop): "
              "the next previews skip starting Python and Manim")
@click.option("--debug", is_flag=True, help="show the whole traceback of a failed render")
def render(lessons: tuple[str, ...], quality: str, resolution: str | None, fps: int | None,
           fmt: str | None, transparent: bool, last_frame: bool, out: Path | None,
           jobs: int | None, scheduler: str | None, split: int, cores: int | None,
           acts: tuple[str, ...], watch: bool, debug: bool) -> None:
    """Render LESSONS: .toml specs, scene files (file.py or file.py:Scene) or library
    lessons by name (see `optiroll list lessons`)."""
    fmt = _format(fmt, out if len(lessons) == 1 else None, last_frame)
    # a lone lesson renders in this process, drawn on every core; lessons or pieces rendered
    # in processes of their own (--jobs, --split, --scheduler) use one core each
    lone = len(lessons) == 1 and split == 1 and scheduler is None
    if cores is not None and not lone:
        fail("--cores draws a lone lesson on several cores; with several lessons, --split or "
             "--scheduler each lesson (or piece) has a process of its own: leave out --cores")
    options = Options(quality, _resolution(resolution), fps, fmt, transparent, last_frame,
                      acts, cores if lone else 1)
    try:
        options.check()
        if split > 1 and acts:
            raise JobError("--split cuts a whole lesson into pieces; --act renders one "
                           "stretch of it: leave out one of them")
        if split > 1:
            from .split import check_splittable

            check_splittable(options, split)
    except JobError as err:
        fail(str(err))
    if scheduler is not None and jobs is not None:
        fail("--jobs counts processes on this machine; with --scheduler the cluster's "
             "workers do the work: leave out --jobs")
    if watch:
        _watch(lessons, options, out, debug, jobs=jobs, split=split, scheduler=scheduler)
        return
    workers = jobs if jobs is not None else split
    several = len(lessons) > 1
    if several and out is not None and not out.is_dir():
        fail(f"--out {out}: with several lessons, --out must be an existing folder"
             + ("" if out.suffix else f" {mkdir_hint(out)}"))
    todo: list[Job] = []
    early: list[Result] = []  # lessons refused before rendering (listed with the others)
    for arg in lessons:
        try:
            job = _job(arg, _acts_checked(arg, options), out, several)
            if any(j.name == job.name for j in todo):
                raise JobError(f"two lessons named {job.name!r} would write the same file; "
                               "render them separately with -o")
            _validate(job)
            todo.append(job)
        except JobError as err:
            if not several:
                fail(str(err))
            early.append(Result(_arg_name(arg), False, None, str(err), bad_input=True))
    if any(j.out.parent == DEFAULT_FOLDER.resolve() for j in todo):
        DEFAULT_FOLDER.mkdir(parents=True, exist_ok=True)
    try:
        results = early + (_render_all(todo, workers, debug, scheduler, split) if todo else [])
    except JobError as err:  # no Dask, or no scheduler at that address
        fail(str(err))
    if not several and not results[0].ok and results[0].bad_input:
        fail(results[0].message)
    failed = [r for r in results if not r.ok]
    for r in results:
        if r.ok:
            click.echo(f"wrote {_shown(r.out)}")
    if failed:
        click.echo("", err=True)
        _report_failures(failed)
        raise SystemExit(EXIT_BAD_INPUT if all(r.bad_input for r in failed) else 1)


def _report_failures(failed: list[Result]) -> None:
    """Each failed render's message, on stderr: one line, or its lines indented."""
    for r in failed:
        lines = r.message.splitlines()
        if len(lines) == 1 and not lines[0].startswith(f"{r.name}:"):
            click.echo(f"failed: {r.name}: {lines[0]}", err=True)
        else:
            click.echo(f"failed: {r.name}", err=True)
            for line in lines:
                click.echo(f"  {line}", err=True)


def _watch(lessons: tuple[str, ...], options: Options, out: Path | None, debug: bool,
           jobs: int | None, split: int, scheduler: str | None) -> None:
    """``render --watch``: render the one lesson now and after each save of its file, in
    this process (:mod:`optiroll.scenes.watch`); a failed render says why and the watch
    goes on; Ctrl-C ends it (exit status 0)."""
    from .watch import watch

    if len(lessons) != 1:
        fail(f"--watch follows one lesson; {len(lessons)} were given: watch one, or render "
             "them without --watch")
    if jobs is not None or split > 1 or scheduler is not None:
        fail("--watch renders here, in the process it keeps warm: leave out --jobs, --split "
             "and --scheduler")
    (arg,) = lessons
    try:  # no file to watch, or nowhere to write: nothing a save could mend
        source = _lesson_source(arg)[0].resolve()
        _job(arg, options, out, False)
    except JobError as err:
        fail(str(err))

    def once() -> None:
        from manim import tempconfig
        from manim.mobject.svg.svg_mobject import SVG_HASH_TO_MOB_MAP

        start = time.perf_counter()
        try:
            # Manim's settings as they were before: a scene file that sets some while it
            # loads (config.background_color = ...) sets them for this render only
            with tempconfig({}):
                job = _job(arg, _acts_checked(arg, options), out, False)
                _validate(job)
                if job.out.parent == DEFAULT_FOLDER.resolve():
                    DEFAULT_FOLDER.mkdir(parents=True, exist_ok=True)
                (result,) = _render_all([job], 1, debug)
        except JobError as err:
            click.echo(f"error: {err}", err=True)
            return
        finally:
            # Manim keeps every SVG it parsed by file name, and each render's files lie
            # in a folder of their own: kept, they would pile up render after render
            SVG_HASH_TO_MOB_MAP.clear()
        if result.ok:
            click.echo(f"wrote {_shown(result.out)} in {time.perf_counter() - start:.1f} s")
        else:
            _report_failures([result])

    try:
        watch([source], once, click.echo)
    except KeyboardInterrupt:
        click.echo("stopped watching")


def _acts_checked(arg: str, options: Options) -> Options:
    """``options`` with its ``--act`` names checked against the lesson's acts and put in
    the order it plays them (before any render: a misspelt act in the last of several
    lessons is found before the first renders)."""
    if not options.acts:
        return options
    from dataclasses import replace

    from .jobs import ACTS_NEED_A_LESSON, describe_error
    from .lesson.act_range import act_keys, pick_acts

    try:
        parts = _lesson_parts(arg, ACTS_NEED_A_LESSON)
    except Exception as err:  # noqa: BLE001 - the lesson's own problem, said once
        message, bad = describe_error(err)
        if not bad:
            return options  # a crash in optiroll or a library: the render reports it
        raise JobError(message) from None
    try:
        chosen = pick_acts(_arg_name(arg), act_keys([p.act_names() for p in parts]),
                           options.acts)
    except ValueError as err:
        raise JobError(str(err)) from None
    return replace(options, acts=chosen)


def _arg_name(arg: str) -> str:
    """The lesson a LESSON argument names, for messages: a file's stem, or the name."""
    return Path(arg.split(".py:")[0]).stem if Path(arg).suffix else arg


def _lesson_parts(arg: str, plain: str) -> list:
    """Every part's :class:`Prepared` of the lesson a LESSON argument names (a plain
    Scene is a JobError: ``plain`` says why it will not do, with ``{cls}`` for its
    name)."""
    from .lesson.prepare import prepare_file

    path, scene = _lesson_source(arg)
    if path.suffix.lower() == ".toml":
        return [prepare_file(path)]
    from .jobs import pick_scene
    from .lesson.scene import Lesson

    cls = pick_scene(path, scene)
    if not issubclass(cls, Lesson):
        raise JobError(plain.format(cls=cls.__name__))
    return [part.prepare() for part in (cls.parts or (cls,))]


def _validate(job: Job) -> None:
    """Check a spec (every key, name and hyperparameter, and its runs) before any render."""
    if not job.is_spec:
        return
    from .lesson import SpecError
    from .lesson.prepare import prepare_file

    try:
        prepare_file(job.path)
    except SpecError as err:
        raise JobError(str(err)) from None


def _format(fmt: str | None, out: Path | None, last_frame: bool) -> str:
    suffix = out.suffix.lower() if out is not None and out.suffix else ""
    if suffix and suffix not in SUFFIXES:
        fail(f"--out {out}: unknown suffix {suffix!r}; use one of {', '.join(SUFFIXES)}")
    implied = SUFFIXES.get(suffix)
    if last_frame:
        if suffix and suffix != ".png":
            fail(f"-s saves a PNG, but --out ends in {suffix}; use a .png name")
        if fmt not in (None, "png"):
            fail(f"-s saves the last frame as a PNG, but --format {fmt} asks for a video; "
                 "leave out one of them")
        return "png" if fmt == "png" else "mp4"
    if implied == "png":
        fail(f"--out {out}: a .png file holds one frame; add -s for the last frame, or use "
             "--format png with a folder name for every frame")
    if fmt and implied and fmt != implied:
        fail(f"--format {fmt} but --out ends in {suffix}; make them agree")
    return fmt or implied or "mp4"


def _resolution(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    try:
        w, h = (int(v) for v in text.replace("x", ",").split(","))
    except ValueError:
        fail(f"-r {text}: write the size as W,H, e.g. -r 1280,720")
    return w, h


def _job(arg: str, options: Options, out: Path | None, several: bool) -> Job:
    """A job for one LESSON argument, with its output path checked."""
    path, scene = _lesson_source(arg)
    name = scene if scene and path.stem != scene.lower() else path.stem
    target = _output(name, options, out, several)
    cfg = Path.cwd() / "manim.cfg"
    return Job(name=name, path=path.resolve(), out=target.resolve(), options=options,
               scene=scene, config_file=cfg.resolve() if cfg.is_file() else None)


def _lesson_source(arg: str) -> tuple[Path, str | None]:
    """The file a LESSON argument names (a .toml spec, a .py scene file, or a library
    lesson's file) and the scene it picks (``file.py:Scene``), or a JobError."""
    from .library import entries, find

    scene = None
    path_text = arg
    if ".py:" in arg:
        path_text, scene = arg.rsplit(":", 1)
    path = Path(path_text)
    suffix = path.suffix.lower()
    if suffix in (".toml", ".py"):
        if not path.is_file():
            hint = " (write one with `optiroll new NAME`)" if suffix == ".toml" else ""
            raise JobError(f"no such file: {path}{hint}")
    elif suffix:
        raise JobError(f"{arg}: a lesson is a .toml spec, a .py scene file or a library name")
    else:
        found = find(arg)
        if found is None:
            from optiroll.dynamics.errors import closest

            names = [e.name for e in entries()]
            guess = closest(arg, names)
            hint = f" Did you mean {guess!r}?" if guess else ""
            raise JobError(f"unknown lesson {arg!r}.{hint} Lessons: {', '.join(names)}; or "
                           "give a .toml or .py file.")
        path = found
    return path, scene


def _output(name: str, options: Options, out: Path | None, several: bool) -> Path:
    default = f"{options.stem(name)}{options.extension}"
    if out is None:
        return DEFAULT_FOLDER / default  # created when the job is started
    if several:
        target = out / default
    elif out.is_dir() and options.format != "png":
        target = out / default
    else:
        if not out.parent.is_dir():
            raise JobError(f"--out {out}: folder {out.parent} does not exist; create it first "
                           + mkdir_hint(out.parent))
        target = out
        if options.extension and out.suffix.lower() != options.extension:
            # -t turns an .mp4 into a .mov (H.264 has no alpha): the suffix is replaced
            target = (out.with_suffix(options.extension) if out.suffix.lower() in SUFFIXES
                      else out.with_name(out.name + options.extension))
    if options.format == "png" and not options.last_frame:
        problem = frames_folder_problem(target, name)
        if problem:
            raise JobError(f"--out {target}: {problem}")
    return target


def _render_all(todo: list[Job], workers: int, debug: bool, scheduler: str | None = None,
                split: int = 1) -> list[Result]:
    """Run every job on local processes (``workers`` at a time) or on the Dask scheduler
    at ``scheduler``, each whole or in ``split`` pieces, with one progress display; a
    lone unsplit job on this machine runs in this process."""
    from rich.console import Console

    from .batch import DaskRunner, InlineRunner, LocalRunner, Runner, render_all
    from .progress import Display

    runner: Runner | None = None
    if scheduler is not None:
        runner = DaskRunner(scheduler)  # a JobError when Dask or the scheduler is missing
    elif len(todo) > 1 or split > 1:
        runner = LocalRunner(min(workers, len(todo) * split))
    try:
        with Display(todo, Console(stderr=True), split=split > 1) as display:
            if runner is None:  # a lone job runs here: no second process to start
                runner = InlineRunner(display.update)
            return render_all(todo, runner, display, split, debug)
    finally:
        if runner is not None:
            runner.close()


def _shown(path: Path | None) -> str:
    if path is None:
        return ""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# -- slides -----------------------------------------------------------------------------
@main.command()
@click.argument("lesson")
@quality_options
@click.option("--html", type=click.Path(path_type=Path),
              help="the reveal.js deck to write (a videos-and-reveal.js folder goes beside it)")
@click.option("--pptx", type=click.Path(path_type=Path), help="the PowerPoint deck to write")
@click.option("--debug", is_flag=True, help="show the whole traceback of a failed render")
def slides(lesson: str, quality: str, resolution: str | None, fps: int | None,
           html: Path | None, pptx: Path | None, debug: bool) -> None:
    """Render LESSON as a slide deck with a pause at each act: an offline HTML deck
    (--html) and/or a PPTX (--pptx); default: an HTML deck in media/lessons."""
    options = Options(quality, _resolution(resolution), fps)
    try:
        options.check()
        job = _job(lesson, options, None, several=False)
        if html is None and pptx is None:
            DEFAULT_FOLDER.mkdir(parents=True, exist_ok=True)
            html = job.out.with_suffix(".html")
        for path, suffix in ((html, ".html"), (pptx, ".pptx")):
            if path is None:
                continue
            if path.suffix.lower() != suffix:
                raise JobError(f"--{suffix[1:]} {path}: the file name must end in {suffix}")
            if not path.parent.is_dir():
                raise JobError(f"--{suffix[1:]} {path}: folder {path.parent} does not exist; "
                               f"create it first {mkdir_hint(path.parent)}")
        if html is not None:
            from .lesson.slides import assets_folder

            assets = assets_folder(html)
            if assets.exists() and not (assets / "revealjs").is_dir():
                raise JobError(f"--html {html}: the deck's videos and reveal.js go in {assets}, "
                               "which exists and is not an earlier deck's; choose another "
                               "name for the deck")
        deck_html = html.resolve() if html else None
        deck_pptx = pptx.resolve() if pptx else None
        job = replace(job, html=deck_html, pptx=deck_pptx, out=deck_html or deck_pptx)
        _validate(job)
    except JobError as err:
        fail(str(err))
    result = _render_all([job], 1, debug)[0]
    if not result.ok:
        click.echo(f"failed: {result.name}: {result.message}", err=True)
        raise SystemExit(EXIT_BAD_INPUT if result.bad_input else 1)
    for path in (job.html, job.pptx):
        if path is not None:
            click.echo(f"wrote {_shown(path)}")
    if job.html is not None:
        click.echo(f"open {_shown(job.html)} in a browser (no network needed); arrow keys move "
                   "between slides")


# -- basins -------------------------------------------------------------------------------
@main.command()
@click.argument("surface")
@click.option("--optimizer", "opt_name", default="momentum", show_default=True,
              help="the optimizer every start rolls under (see `optiroll list optimizers`)")
@click.option("--set", "params", multiple=True, metavar="NAME=VALUE",
              help="a hyperparameter, e.g. --set lr=0.05 --set beta=0.9 (repeatable)")
@click.option("--steps", type=int, default=300, show_default=True)
@click.option("--size", default="1920x1080", show_default=True, metavar="WxH",
              help="pixels: one start per pixel (3840x2160 is 8.3 million starts)")
@click.option("-o", "--out", type=click.Path(path_type=Path), default=None,
              help="the PNG to write (default media/basins/SURFACE_OPTIMIZER_WxH.png)")
@click.option("--chunk", type=int, default=DEFAULT_CHUNK, show_default=True,
              help="starts per task: a worker holds one chunk's rollout at a time")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="processes on this machine")
@click.option("--scheduler", metavar="ADDRESS", help="run the chunks on a Dask cluster")
def basins(surface: str, opt_name: str, params: tuple[str, ...], steps: int, size: str,
           out: Path | None, chunk: int, jobs: int, scheduler: str | None) -> None:
    """A basin-of-attraction map of SURFACE: every pixel a start, coloured by the
    minimum it rolls into (grey: still rolling; background: flew off)."""
    from optiroll import dynamics as dyn
    from optiroll.dynamics.basins import DIVERGED, UNSETTLED, basin_map, fit_view

    from .basin_image import basin_rgb, write_png

    try:
        width, height = (int(v) for v in size.lower().replace(",", "x").split("x"))
    except ValueError:
        fail(f"--size {size}: write it as WxH, e.g. --size 1920x1080")
    if width < 1 or height < 1:
        fail(f"--size {size}: width and height must be at least 1 pixel")
    if max(width, height) > MAX_BASIN_SIDE:
        fail(f"--size {size}: at most {MAX_BASIN_SIDE} pixels a side (a start a pixel: "
             f"{MAX_BASIN_SIDE}x{MAX_BASIN_SIDE} is {MAX_BASIN_SIDE ** 2 / 1e6:.0f} million "
             "starts; 3840x2160 is 8.3 million)")
    if scheduler is not None and jobs > 1:
        fail("--jobs counts processes on this machine; with --scheduler the cluster's "
             "workers do the work: leave out --jobs")
    try:
        s = dyn.surface(surface)
        opt = dyn.optimizer(opt_name, **_hyperparameters(params))
    except dyn.OptirollError as err:
        fail(str(err))
    name = f"{s.name}_{opt.name}_{width}x{height}.png"
    target = out if out is not None else Path("media") / "basins" / name
    if target.suffix.lower() != ".png":
        fail(f"--out {target}: a basin map is a PNG; use a name ending in .png")
    if out is None:
        target.parent.mkdir(parents=True, exist_ok=True)
    elif not target.parent.is_dir():
        fail(f"--out {target}: folder {target.parent} does not exist; create it first "
             + mkdir_hint(target.parent))
    client = None
    try:
        client = _executor(jobs, scheduler)
        t0 = time.perf_counter()
        view = fit_view(s.view, width, height)
        labels = basin_map(s, opt, width, height, steps, view=view, client=client, chunk=chunk)
        seconds = time.perf_counter() - t0
    except (dyn.OptirollError, JobError) as err:
        fail(str(err))
    except Exception as err:  # noqa: BLE001 - a worker that died, a lost scheduler
        click.echo(f"error: the map was not finished: {type(err).__name__}: {err}", err=True)
        raise SystemExit(1) from None
    finally:
        if isinstance(client, ProcessPoolExecutor):
            client.shutdown(wait=True, cancel_futures=True)
        elif client is not None:
            client.close()
    try:
        write_png(basin_rgb(labels, s, view), target)
    except OSError as err:
        fail(f"--out {target}: cannot write it ({err.strerror or err})")
    n = labels.size
    click.echo(f"{s.display_name}, {opt!r}, {steps} steps: {width}x{height} = {n:,} starts "
               f"in {seconds:.1f} s ({n * steps / seconds / 1e6:.1f} million start-steps/s)")
    for i, m in enumerate(s.minima):
        share = float(np.mean(labels == i))
        click.echo(f"  minimum {i + 1} at ({m[0]:.3g}, {m[1]:.3g}), loss "
                   f"{float(s.value(np.array(m))):.3g}: {share:.1%} of starts")
    for code, what in ((UNSETTLED, "still rolling"), (DIVERGED, "flew off")):
        if np.any(labels == code):
            click.echo(f"  {what}: {float(np.mean(labels == code)):.1%}")
    click.echo(f"wrote {_shown(target.resolve())}")


def _hyperparameters(params: tuple[str, ...]) -> dict[str, object]:
    """``NAME=VALUE`` pairs, values read as TOML (numbers, booleans, [a, b] pairs)."""
    import tomllib

    out = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            fail(f"--set {item}: write NAME=VALUE, e.g. --set lr=0.05")
        try:
            v = tomllib.loads(f"v = {value.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            fail(f"--set {item}: {value!r} is not a number, true/false or [a, b]")
        out[key.strip()] = tuple(v) if isinstance(v, list) else v
    return out


def _executor(jobs: int, scheduler: str | None) -> Executor | None:
    """Where chunks run: a Dask client, a process pool, or None (here)."""
    if scheduler is not None:
        from .batch import dask_client

        return dask_client(scheduler)
    if jobs > 1:
        import multiprocessing as mp

        return ProcessPoolExecutor(jobs, mp_context=mp.get_context("spawn"))
    return None


# -- check ------------------------------------------------------------------------------
@main.command()
@click.argument("lessons", nargs=-1, required=True)
@click.option("--debug", is_flag=True, help="show the whole traceback of an error in a "
              "scene file")
def check(lessons: tuple[str, ...], debug: bool) -> None:
    """Validate LESSONS without rendering: .toml specs, scene files (file.py or
    file.py:Scene) or library lessons by name. Every key, name, formula,
    hyperparameter and plot is checked, every run is computed, and a lesson's own
    hooks compute their words."""
    bad = False
    for arg in lessons:
        try:
            for line in _check_one(arg):
                click.echo(line)
        except Exception as err:  # noqa: BLE001 - every error becomes one message
            from .jobs import describe_error

            message, _ = describe_error(err, debug)
            click.echo(message if message.startswith(arg) else f"{arg}: {message}", err=True)
            bad = True
    if bad:
        raise SystemExit(EXIT_BAD_INPUT)


def undefined_share(surface: Surface, samples: int = 120) -> float:
    """The share of the view, sampled on a ``samples``-wide grid, where the loss is not
    finite (0 for a surface defined everywhere on it)."""
    _, _, z = surface.grid(samples)
    return float(np.mean(~np.isfinite(z)))


def _check_one(arg: str) -> list[str]:
    """The report on one LESSON argument: a line per part, a note per diverging run."""
    from .lesson.act_range import part_prefix
    from .lesson.prepare import gone

    quoted = shlex.quote(arg).replace("{", "{{").replace("}", "}}")  # (formatted below)
    parts = _lesson_parts(arg, "{cls} is a plain Manim scene, not a lesson: it has no spec "
                               f"to check; preview it with `optiroll render {quoted} -ql`")
    out = []
    for i, p in enumerate(parts):
        spec = p.spec
        which = f" part {i + 1}:" if len(parts) > 1 else ""
        runs = f"{len(spec.runs)} run{'s' if len(spec.runs) != 1 else ''}"
        out.append(f"{arg}:{which} ok: {spec.title!r}, {runs}, {spec.steps} "
                   f"steps; acts: {', '.join(part_prefix(i) + a for a in p.act_names())}")
        blank = undefined_share(spec.surface_object)
        if blank > 0:
            share = f"{round(100 * blank)} %" if blank >= 0.005 else "under 1 %"
            out.append(f"  note: the loss is undefined or infinite on {share} of the view "
                       "(outside the formula's domain): the map is blank there; narrow "
                       "`view` to where it is defined")
        for label, rollout in zip(p.labels, p.runs, strict=True):
            went = gone(rollout, spec.surface_object.view)
            if went is None:
                continue
            if went.left:
                more = (f" (and diverges at step {int(rollout.diverged_at)})"
                        if rollout.diverged and int(rollout.diverged_at) > went.step else "")
                out.append(f"  note: {label} leaves the map at step {went.step}{more}; the "
                           "clip shows it flying off")
            elif went.loss:
                out.append(f"  note: {label} reaches a point where the loss is {went.loss} at "
                           f"step {went.step} (outside the formula's domain?) and stops there; "
                           "its legend says so from there")
            else:
                out.append(f"  note: {label} diverges at step {went.step}; its legend says "
                           "so from there")
    return out


# -- list ---------------------------------------------------------------------------------
CATALOGS = ("surfaces", "optimizers", "lessons")


@main.command(name="list")
@click.argument("what", required=False, type=click.Choice(CATALOGS))
def list_(what: str | None) -> None:
    """Print the catalogs, one line each: surfaces, optimizers, lessons (default: all)."""
    for name in [what] if what else list(CATALOGS):
        if not what:
            click.echo(f"{name}:")
        for line in _catalog(name):
            click.echo(("  " if not what else "") + line)


def _catalog(name: str) -> list[str]:
    from optiroll import dynamics as dyn

    if name == "surfaces":
        out = []
        for n in dyn.surface_names():
            s = dyn.surface(n)
            (x0, x1), (y0, y1) = s.view
            out.append(f"{n:<20} {s.display_name}  [view x {x0:g}..{x1:g}, y {y0:g}..{y1:g}]")
        return out
    if name == "optimizers":
        from optiroll.dynamics.optimizers.base import REGISTRY

        from .lesson.naming import DISPLAY

        out = []
        for n in dyn.optimizer_names():
            cls = REGISTRY[n]
            params = ", ".join(f"{k}={v[0]!r}" for k, v in cls.params.items())
            out.append(f"{n:<12} {DISPLAY.get(n, n):<12} {params}")
        return out
    from .library import entries

    return [f"{e.name:<20} {e.description}  ({_shown(e.path)})" for e in entries()]


# -- new ----------------------------------------------------------------------------------
@main.command()
@click.argument("name")
@click.option("--force", is_flag=True, help="overwrite an existing file")
def new(name: str, force: bool) -> None:
    """Write NAME.toml, a commented starter spec to edit and render."""
    path = Path(name if name.lower().endswith(".toml") else f"{name}.toml")
    if not path.stem or path.stem.startswith("."):
        fail(f"{name!r} is no lesson name; give one, e.g. optiroll new my_lesson")
    if not path.parent.is_dir():
        fail(f"folder {path.parent} does not exist; create it first "
             + mkdir_hint(path.parent))
    if path.exists() and not force:
        fail(f"{path} exists; choose another name or add --force to overwrite it")
    title = path.stem.replace("_", " ").replace("-", " ").strip().capitalize() or "My lesson"
    path.write_text(STARTER.replace("TITLE", title.replace('"', "'")).replace(
        "THIS_FILE", shlex.quote(str(path))), encoding="utf-8")
    click.echo(f"wrote {path}: edit it, then `optiroll render {shlex.quote(str(path))} -ql`")


STARTER = '''# An optiroll lesson. Render a preview:  optiroll render THIS_FILE -ql
# Check it without rendering:            optiroll check THIS_FILE
# Every key and its default: the README's "Lesson spec reference".

title = "TITLE"
surface = "elongated_bowl"      # a catalog name (optiroll list surfaces) or a formula in x, y
# view = [[-6, 6], [-3, 3]]      # the part of the plane shown (default: the surface's own)
steps = 30                       # optimizer steps per run
start = [-5, -2]                 # where every ball starts (a run may set its own)

# One [[runs]] table per ball: an optimizer (optiroll list optimizers) and its
# hyperparameters with torch's names. label, color, start, seed, batch_size,
# noise, schedule and arrows are optional.
[[runs]]
optimizer = "gd"
lr = 0.4

[[runs]]
optimizer = "momentum"
lr = 0.4
beta = 0.8

[[runs]]
optimizer = "adam"
lr = 0.4
betas = [0.9, 0.999]

[show]
plots = ["loss"]                 # any recorded series: loss, step_size, velocity.x, ...
# arrows = ["gradient"]          # gradient, velocity, lookahead (Nesterov)
# arrows_in_turn = true          # one run's arrows at a time (runs that start together)
# surface3d = true               # the map rises into a 3-D surface
# formula = true                 # title, rules, minima, settings, trails, closing: on/off

[pacing]
# race_speed = 3                 # iterations per second (default: the race lasts ~10 s)
hold = 2.0                       # seconds to let a result sink in
'''


if __name__ == "__main__":
    sys.exit(main())
