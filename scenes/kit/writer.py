"""Manim's file writer: GIFs that keep the scene's colours, previews that encode fast.

Manim 0.21 encodes ``--format gif`` with a fixed 3-3-2 palette (``pix_fmt =
"rgb8"`` in ``scene_file_writer.py``), which shifts every run colour by about 14
CIEDE2000 units and stores every frame whole. This writer joins the partial
movies into an MP4 as usual and makes the GIF from it with ``optiroll.scenes.gif``:
a palette per frame that keeps the colours, only the changed region of each
frame stored, 25 (or 50) fps so browsers play it at the right speed.

A preview (frames at most :data:`PREVIEW_HEIGHT` pixels high: ``-ql``) is
encoded with x264's ``veryfast`` preset instead of Manim's default
(``medium``), at the same ``crf 23``: on the flagship's 734 preview frames the
encode takes half the CPU time (2.5 s against 4.8 s here) for a file of about
the same size, and the frames the preview's encoder thread no longer has to
catch up with are waited for at the end of every animation. Larger renders keep
Manim's settings.

A preview's partial movies are also encoded on one x264 thread (:func:`encoder_threads`):
it keeps up with the drawing, and where a lesson is drawn in pieces on every core
(``lesson/pieces.py``), x264's own threads cost about a tenth more CPU time (the
flagship's preview in two pieces: 0.2 to 0.4 s sooner in alternating runs; in one
process no different). Larger renders keep x264's own threads: at 1080p60 the flagship
in two pieces took 68 s with them and 69 to 74 s on one thread each.

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

#: the tallest frame encoded as a preview (``-ql`` is 480)
PREVIEW_HEIGHT = 480
#: x264's preset for previews (Manim's default is ``medium``)
PREVIEW_PRESET = "veryfast"


def x264() -> bool:
    """Whether this render's partial movies are x264's (not VP9 for WebM, nor QuickTime
    RLE for a transparent video)."""
    return config.movie_file_extension == ".mp4" and not config.transparent


def preview_preset() -> str | None:
    """The x264 preset for this render's partial movies, or None for Manim's own."""
    return PREVIEW_PRESET if x264() and config.pixel_height <= PREVIEW_HEIGHT else None


def encoder_threads() -> int | None:
    """x264's threads for this render's partial movies: 1 in a preview, else None
    (x264's own choice, as for VP9 and QuickTime RLE)."""
    return 1 if preview_preset() is not None else None


class ColourGifWriter(SceneFileWriter):
    def open_partial_movie_stream(self, file_path: str | Path | None = None) -> None:
        """Manim's stream, with :func:`preview_preset` and :func:`encoder_threads` for
        previews (x264 reads them when the first frame opens the codec)."""
        super().open_partial_movie_stream(file_path)
        job = self._current_encode_job
        if job is None:
            return
        preset, threads = preview_preset(), encoder_threads()
        if preset is not None:
            job.stream.codec_context.options["preset"] = preset
        if threads is not None:
            job.stream.codec_context.thread_count = threads

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
