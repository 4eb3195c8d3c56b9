"""Every run colour over the loss map's colours and in a legend, for export tests.

Each ball sits on a square of one colour of the loss map (from the valley
floor's brightest to the slopes' darkest), the legend dots below them on the
background, all at fixed scene points so a test can find them in any decoded
frame. One second long.
"""

from manim import Dot, Square
from optiroll.scenes.kit import Timeline, theme
from optiroll.scenes.kit.scene import ThemedScene

N = len(theme.PALETTE)
#: scene points of the balls, each on a square of map colour (x across the frame)
BALLS = [(-5.95 + 1.7 * i, 0.8) for i in range(N)]
#: scene points of the legend dots, below, over the background
DOTS = [(-5.95 + 1.7 * i, -2.0) for i in range(N)]
BALL_RADIUS = 0.3
DOT_RADIUS = 0.15


class Palette(ThemedScene):
    def construct(self) -> None:
        squares = [Square(1.6, stroke_width=0, fill_opacity=1,
                          fill_color=theme.colormap_hex(i / (N - 1))).move_to(p + (0,))
                   for i, p in enumerate(BALLS)]
        balls = [Dot(p + (0,), radius=BALL_RADIUS, color=c, stroke_color=theme.FOREGROUND,
                     stroke_width=2.5, fill_opacity=1)
                 for p, c in zip(BALLS, theme.PALETTE, strict=True)]
        dots = [Dot(p + (0,), radius=DOT_RADIUS, color=c, stroke_color=theme.FOREGROUND,
                    stroke_width=2, fill_opacity=1)
                for p, c in zip(DOTS, theme.PALETTE, strict=True)]
        self.add(*squares, *balls, *dots)
        self.play(Timeline(10, iterations_per_second=10).play_to())  # one second
