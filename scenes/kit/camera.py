"""A Cairo camera that composites full-frame image layers with numpy.

Manim draws an ImageMobject through a PIL perspective transform, paste and
composite of a frame-sized image: tens of milliseconds at 1080p. The 3-D view
is an unrotated, frame-filling layer whose pixels already match the frame, so
this camera blends it straight into the pixel array (only over the bounding box
of its visible pixels) and leaves every other image to Manim.

Use it with ``Scene.__init__(camera_class=LayerCamera)``.
"""

from __future__ import annotations

import numpy as np
from manim import UL, Camera, config


class LayerCamera(Camera):
    def display_image_mobject(self, image_mobject, pixel_array: np.ndarray) -> None:
        src = image_mobject.pixel_array
        full_frame = (
            getattr(image_mobject, "full_frame_layer", False)
            and src.shape[:2] == pixel_array.shape[:2]
            and np.allclose(image_mobject.get_corner(UL)[:2],
                            [-config.frame_width / 2, config.frame_height / 2], atol=1e-6)
            and np.isclose(self.frame_width, config.frame_width)
            and np.allclose(self.frame_center, 0)
        )
        if not full_frame:
            return super().display_image_mobject(image_mobject, pixel_array)
        alpha = src[..., 3]
        rows = np.flatnonzero(alpha.any(axis=1))
        if len(rows) == 0:
            return None
        cols = np.flatnonzero(alpha.any(axis=0))
        box = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
        s = src[box].astype(np.uint16)
        d = pixel_array[box].astype(np.uint16)
        a = s[..., 3:4]
        out = np.empty_like(d)
        out[..., :3] = (s[..., :3] * a + d[..., :3] * (255 - a) + 127) // 255
        out[..., 3:] = a + (d[..., 3:] * (255 - a) + 127) // 255
        pixel_array[box] = out.astype(np.uint8)
        return None
