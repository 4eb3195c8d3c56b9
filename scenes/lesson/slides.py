"""Lessons as slide decks (manim-slides): a pause at every act, offline HTML and PPTX.

:func:`slide_class` turns any Lesson class into a manim-slides ``Slide`` whose
slides begin where the lesson's acts begin (the race optionally looping while
the lecturer talks). :func:`build_deck` converts what it rendered into a
reveal.js HTML deck that needs no network (reveal.js is shipped with optiroll,
``scenes/assets/revealjs``, and copied beside the deck) and/or a PPTX with one
slide per act, each holding its video. Plain ``manim render`` of a lesson is
untouched: only these classes are Slides.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from manim_slides import Slide

from .scene import Lesson

#: a PPTX slide's width in manim-slides' units (pixels at 96 an inch: 13.33 inches)
PPTX_WIDTH = 1280
REVEALJS = Path(__file__).resolve().parents[1] / "assets" / "revealjs"
REVEALJS_VERSION = (REVEALJS / "VERSION").read_text().strip()


class LessonSlides(Slide):
    """Mix in before a Lesson class to make it a deck: ``class MomentumSlides(LessonSlides,
    MomentumRavine): pass``. A slide begins where each act begins."""

    skip_reversing = True  # reversed clips serve only manim-slides' own player
    #: one process: manim-slides keeps each slide's animations as they are played
    cores = 1
    #: an act's exit has opened the slide the next act plays in (:meth:`exit_begins`)
    _exit_opened = False

    def begin_act(self, name: str, loop: bool = False) -> None:
        if self.renderer.num_plays == 0:  # manim-slides opens the first slide itself
            Lesson.begin_act(self, name)
            return
        opened, self._exit_opened = self._exit_opened, False
        if opened and not loop:  # the previous act's exit opened this act's slide
            return
        self.next_slide(name, loop=loop)

    def exit_begins(self) -> None:
        """The slide ends on the act's held moment (the replay's plots): its exit plays at
        the start of the next slide (the slide had ended after the plots faded and the map
        glided back, or, before a lesson's next part, on an almost black frame)."""
        self.next_slide()
        self._exit_opened = True


def slide_class(lesson: type[Lesson]) -> type:
    """A deck of ``lesson``, under the lesson's own name."""
    return type(lesson.__name__, (LessonSlides, lesson), {"__module__": lesson.__module__})


def assets_folder(html: Path) -> Path:
    """Where the HTML deck ``html`` keeps its videos and reveal.js: a folder beside it
    (an earlier deck's holds a ``revealjs`` folder)."""
    return html.parent / f"{html.stem}_assets"


def build_deck(scene_name: str, slides_folder: Path, html: Path | None = None,
               pptx: Path | None = None, size: tuple[int, int] = (1280, 720),
               title: str | None = None) -> None:
    """Convert the rendered slides of ``scene_name`` into ``html`` and/or ``pptx``, both
    titled ``title`` (the lesson's; else the scene's name).

    The HTML deck is ``html`` plus a folder ``<name>_assets`` beside it holding the
    videos and reveal.js: open the file from disk, no network needed.
    """
    from functools import partial

    import manim_slides.convert
    from manim_slides.config import PresentationConfig
    from manim_slides.convert import PowerPoint, RevealJS
    from tqdm import tqdm

    # its progress bars would scribble over optiroll's own progress display
    manim_slides.convert.tqdm = partial(tqdm, disable=True)

    configs = [PresentationConfig.from_file(slides_folder / f"{scene_name}.json")]
    if html is not None:
        assets = assets_folder(html).name
        RevealJS(presentation_configs=configs, title=title or scene_name, assets_dir=assets,
                 reveal_version=REVEALJS_VERSION, cdn_url=f"{assets}/revealjs",
                 background_color=str(configs[0].background_color)).convert_to(html)
        shutil.copytree(REVEALJS, assets_folder(html) / "revealjs", dirs_exist_ok=True)
    if pptx is not None:
        # PowerPoint's own widescreen slide (13.33 in wide, at 96 px an inch) at the
        # video's aspect, whatever its pixels: a slide must be 1 to 56 inches a side
        w, h = PPTX_WIDTH, max(96, min(5376, round(PPTX_WIDTH * size[1] / size[0])))
        PowerPoint(presentation_configs=configs, width=w, height=h).convert_to(pptx)
        _describe_pptx(pptx, title or scene_name)


def _describe_pptx(path: Path, title: str) -> None:
    """The PPTX's own properties: its title, optiroll as author, made now, and a custom
    slide size (python-pptx's template says "Steve Canny", 2013, and 4:3)."""
    from datetime import datetime

    from pptx import Presentation

    deck = Presentation(str(path))
    props = deck.core_properties
    props.title, props.author, props.last_modified_by = title, "optiroll", "optiroll"
    props.created = props.modified = datetime.now().replace(microsecond=0)
    props.revision = 1
    deck.part._element.find(
        "{http://schemas.openxmlformats.org/presentationml/2006/main}sldSz").set(
        "type", "custom")
    deck.save(str(path))


def headless_browser(offline: bool = True):
    """Debian's chromium under selenium, headless, autoplay allowed; with ``offline``,
    every host name fails to resolve, so a deck that needs the network shows it.

    Raises ``FileNotFoundError`` when chromium or chromedriver is not installed.
    """
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        raise FileNotFoundError("chromium and chromedriver are needed (Debian: apt-get install "
                                "chromium chromium-driver; `make test` does it)")
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,720",
                "--hide-scrollbars", "--autoplay-policy=no-user-gesture-required"):
        options.add_argument(arg)
    if offline:
        options.add_argument("--host-resolver-rules=MAP * ~NOTFOUND")
    options.binary_location = chromium
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(service=webdriver.ChromeService(driver), options=options)
