"""Manim's file writer, with GIFs that keep the scene's colours.

Manim 0.21 encodes ``--format gif`` with a fixed 3-3-2 palette (``pix_fmt =
"rgb8"`` in ``scene_file_writer.py``), which shifts every run colour by about 14
CIEDE2000 units and stores every frame whole. This writer joins the partial
movies into an MP4 as usual and makes the GIF from it with ``optiroll.scenes.gif``:
a palette per frame that keeps the colours, only the changed region of each
frame stored, 25 (or 50) fps so browsers play it at the right speed.

Lessons use it; another scene can too::

    class MyScene(Scene):
        def __init__(self, **kwargs):
            kwargs.setdefault("renderer", CairoRenderer(file_writer_class=ColourGifWriter))
            super().__init__(**kwargs)
"""

from __future__ import annotations

from pathlib import Path

from manim import config
from manim.scene.scene_file_writer import SceneFileWriter


class ColourGifWriter(SceneFileWriter):
    def combine_files(self, input_files: list[str], output_file: Path,
                      create_gif: bool = False, includes_sound: bool = False) -> None:
        if not create_gif:
            return super().combine_files(input_files, output_file, create_gif, includes_sound)
        from ..gif import read_frames, write_gif

        output_file = Path(output_file)
        video = output_file.with_name(output_file.stem + ".frames.mp4")
        super().combine_files(input_files, video, False, False)
        fps = 50 if config.frame_rate >= 50 else 25
        try:
            write_gif(read_frames(video, fps), output_file, fps)
        finally:
            video.unlink(missing_ok=True)
        return None
