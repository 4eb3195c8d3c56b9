"""A Cairo camera that composites full-frame image layers without PIL.

Manim draws an ImageMobject through a PIL perspective transform, paste and
composite of a frame-sized image: tens of milliseconds at 1080p. The 3-D view
is an unrotated, frame-filling layer whose pixels already match the frame, so
this camera paints it straight into the frame with cairo (the layer is a cairo
surface in the frame's byte order, premultiplied like an opaque frame) and leaves
every other image to Manim.

Use it with ``Scene.__init__(camera_class=LayerCamera)``.
"""

from __future__ import annotations

import cairo
import numpy as np
from manim import UL, Camera, config


class LayerCamera(Camera):
    def display_image_mobject(self, image_mobject, pixel_array: np.ndarray) -> None:
        layer = getattr(image_mobject, "layer", None)  # a SurfaceView's cairo surface
        shape = ((layer.get_height(), layer.get_width()) if layer is not None
                 else image_mobject.pixel_array.shape[:2])
        # within a pixel of the frame's corner: at 854x480 (-ql) a frame-high layer is
        # 854/480 * 8 = 14.233 units wide against the frame's 14.222, its pixels still
        # one to one with the frame's
        pixel = config.frame_width / pixel_array.shape[1]
        full_frame = (
            getattr(image_mobject, "full_frame_layer", False)
            and shape == pixel_array.shape[:2]
            and np.allclose(image_mobject.get_corner(UL)[:2],
                            [-config.frame_width / 2, config.frame_height / 2], atol=pixel)
            and np.isclose(self.frame_width, config.frame_width)
            and np.allclose(self.frame_center, 0)
        )
        if not full_frame:
            return super().display_image_mobject(image_mobject, pixel_array)
        if layer is not None and self.background_opacity >= 1:
            # The frame is opaque, so its straight RGBA is also premultiplied, as cairo
            # wants it; the layer is premultiplied in the same byte order. Cairo's OVER
            # is exactly the blend below, at memory speed.
            if image_mobject.layer_alpha <= 0:
                return None
            frame = cairo.ImageSurface.create_for_data(
                pixel_array, cairo.FORMAT_ARGB32, pixel_array.shape[1], pixel_array.shape[0])
            ctx = cairo.Context(frame)
            ctx.set_source_surface(layer, 0, 0)
            ctx.paint_with_alpha(image_mobject.layer_alpha)
            frame.flush()
            return None
        src = image_mobject.pixel_array
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
