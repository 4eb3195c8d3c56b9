"""The smallest manim-slides deck: two slides. A canary for manim upgrades that break
manim-slides (0.22 removed config keys manim-slides 5.7 reads)."""

from manim import Circle, Create, FadeOut
from manim_slides import Slide


class Canary(Slide):
    skip_reversing = True

    def construct(self) -> None:
        circle = Circle()
        self.play(Create(circle), run_time=0.4)
        self.next_slide()
        self.play(FadeOut(circle), run_time=0.4)
