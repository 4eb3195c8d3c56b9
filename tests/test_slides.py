"""Lessons as slide decks: a pause at each act; an offline HTML deck that plays in a real
browser with no network; a PPTX with one slide per act, each holding its video."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import installed_env
from optiroll.scenes.cli import main

REPO = Path(__file__).resolve().parents[1]
TINY = ["-r", "320,180", "--fps", "5"]
ACTS = ["title", "race", "replay", "closing"]  # examples/adaptive_trio.toml's acts


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = installed_env()
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=900)


def test_manim_slides_still_works_with_this_manim(tmp_path: Path) -> None:
    r = run("-m", "manim", "render", *TINY, str(REPO / "tests" / "scenes" / "canary_slide.py"),
            "Canary", cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    deck = json.loads((tmp_path / "slides" / "Canary.json").read_text())
    assert len(deck["slides"]) == 2


@pytest.fixture(scope="module")
def deck(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("deck")
    r = run("-m", "optiroll.scenes.cli", "slides",
            str(REPO / "examples" / "adaptive_trio.toml"), *TINY,
            "--html", "deck.html", "--pptx", "deck.pptx", cwd=tmp)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "wrote deck.html" in r.stdout and "wrote deck.pptx" in r.stdout
    return tmp


def test_deck_files(deck: Path) -> None:
    assets = deck / "deck_assets"
    assert (deck / "deck.html").is_file() and len(list(assets.glob("*.mp4"))) == len(ACTS)
    assert (assets / "revealjs" / "dist" / "reveal.js").is_file()
    html = (deck / "deck.html").read_text()
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html)  # nothing from a CDN
    assert sorted(p.name for p in deck.iterdir()) == ["deck.html", "deck.pptx", "deck_assets"]


def test_decks_carry_the_lessons_title(deck: Path) -> None:
    """The HTML's <title> was the file's stem or the class name; the PPTX kept python-pptx's
    template properties (author "Steve Canny", created 2013, a 4:3 slide type)."""
    from pptx import Presentation

    assert "<title>Adaptive step sizes</title>" in (deck / "deck.html").read_text()
    pptx = Presentation(str(deck / "deck.pptx"))
    props = pptx.core_properties
    assert (props.title, props.author) == ("Adaptive step sizes", "optiroll")
    assert props.created.year >= 2025
    size = pptx.part._element.find(
        "{http://schemas.openxmlformats.org/presentationml/2006/main}sldSz")
    assert size.get("type") == "custom"


def test_pptx_has_one_slide_per_act_each_with_its_video(deck: Path) -> None:
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    slides = Presentation(str(deck / "deck.pptx")).slides
    assert len(slides) == len(ACTS)
    for slide in slides:
        media = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.MEDIA]
        assert len(media) == 1
    videos = [p for p in slides.part.package.iter_parts() if p.partname.endswith(".mp4")]
    assert len(videos) == len(ACTS)


def test_the_replay_slide_stops_on_the_plots(deck: Path) -> None:
    """A slide stops where the lecturer talks: the replay's slide ends on its held plots,
    and the exit (plots fading, the map gliding back) opens the next slide. It had ended
    after the exit, on the race's layout again, with no plot in sight."""
    import av

    html = (deck / "deck.html").read_text()
    videos = re.findall(r'data-background-video="([^"]+\.mp4)"', html)
    assert len(videos) == len(ACTS)

    def frames(name: str) -> list[np.ndarray]:
        with av.open(str(deck / name)) as c:
            return [f.to_ndarray(format="rgb24").astype(int) for f in c.decode(video=0)]

    replay, closing = frames(videos[ACTS.index("replay")]), frames(videos[ACTS.index("closing")])
    # the plots on screen at the slide's end: far from its first frame (the race's layout)
    assert np.abs(replay[-1] - replay[0]).mean() > 4
    # the next slide starts where this one stopped, then leaves
    assert np.abs(closing[0] - replay[-1]).mean() < 1.5
    assert np.abs(closing[-1] - replay[-1]).mean() > 4


def browser():
    from optiroll.scenes.lesson.slides import headless_browser

    try:
        return headless_browser(offline=True)  # no network at all
    except FileNotFoundError as err:
        pytest.skip(f"{err}; where apt-get is missing, this test cannot run")


def test_html_deck_plays_offline_in_a_real_browser(deck: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver = browser()
    try:
        driver.get((deck / "deck.html").as_uri())
        ready = "return typeof Reveal !== 'undefined' && Reveal.isReady()"
        for _ in range(50):
            if driver.execute_script(ready):
                break
            time.sleep(0.1)
        assert driver.execute_script(ready), "reveal.js did not load"
        assert driver.execute_script("return Reveal.getTotalSlides()") == len(ACTS)
        video = ("const v = document.querySelector('.slide-background.present video');"
                 "return v ? [v.currentTime, v.played.length] : null")
        first = driver.execute_script(video)
        time.sleep(0.8)
        later = driver.execute_script(video)
        assert later is not None and (later[0] > first[0] or later[1] > 0), (first, later)
        ActionChains(driver).send_keys(Keys.ARROW_RIGHT).perform()
        time.sleep(0.5)
        assert driver.execute_script("return Reveal.getIndices().h") == 1
        driver.save_screenshot(str(deck / "deck.png"))
        requests = [json.loads(e["message"])["message"] for e in driver.get_log("performance")]
        urls = {m["params"]["request"]["url"] for m in requests
                if m["method"] == "Network.requestWillBeSent"}
        assert urls and all(u.startswith(("file://", "data:")) for u in urls), urls
    finally:
        driver.quit()
    assert (deck / "deck.png").stat().st_size > 10_000


def test_a_spec_can_loop_the_race(tmp_path: Path) -> None:
    spec = tmp_path / "loop.toml"
    spec.write_text((REPO / "examples" / "adaptive_trio.toml").read_text().replace(
        "[pacing]", "[slides]\nloop_race = true\n\n[pacing]").replace(
        'plots = ["loss", "step_size"]', "plots = []"))
    r = run("-m", "optiroll.scenes.cli", "slides", str(spec), *TINY, "--html", "loop.html",
            cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    html = (tmp_path / "loop.html").read_text()
    sections = html.split("<section")[1:]
    assert len(sections) == 3  # title, race, closing
    assert "data-background-video-loop" in sections[1]
    assert "data-background-video-loop" not in sections[0] + sections[2]


@pytest.mark.parametrize(("args", "message"), [
    ([str(REPO / "tests" / "scenes" / "tiny_race.py")], "slides need a lesson"),
    (["momentum", "--html", "deck.pdf"], "must end in .html"),
    (["momentum", "--pptx", "nowhere/deck.pptx"], "folder nowhere does not exist"),
    (["nosuch"], "unknown lesson 'nosuch'"),
])
def test_bad_slide_requests(tmp_path: Path, args: list[str], message: str) -> None:
    os.chdir(tmp_path)
    result = CliRunner().invoke(main, ["slides", *TINY, *args])
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output
    assert not list(tmp_path.rglob("*.html")) and not list(tmp_path.rglob("*.pptx"))
