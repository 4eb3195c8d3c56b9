"""A Cairo camera that composites full-frame image layers without PIL, and traces
vector paths with less Python per curve.

Manim draws an ImageMobject through a PIL perspective transform, paste and
composite of a frame-sized image: tens of milliseconds at 1080p. The 3-D view
is an unrotated, frame-filling layer whose pixels already match the frame, so
this camera paints it straight into the frame with cairo (the layer is a cairo
surface in the frame's byte order, premultiplied like an opaque frame) and leaves
every other image to Manim.

Every vector mobject of every frame is traced into cairo by
:meth:`LayerCamera.set_cairo_context_path`: the same subpaths, curves and
closings as Manim's, from the points as one list of floats (Manim reads each
coordinate back out of a numpy array, about a microsecond a curve, and splits
subpaths with a dozen small numpy calls). The same floats reach cairo in the same
order, so every pixel is the same. A path that stays the same from frame to frame
(a label, an axis, a legend's names) is kept as cairo's own path and appended in one
call.

Use it with ``Scene.__init__(camera_class=LayerCamera)``.
"""

from __future__ import annotations

import cairo
import numpy as np
from manim import UL, Camera, config


class LayerCamera(Camera):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # traced paths by id(vmobject): (key, cairo path or None), this capture's and
        # the last one's (see set_cairo_context_path)
        self._paths: dict[int, tuple[tuple, cairo.Path | None]] = {}
        self._last_paths: dict[int, tuple[tuple, cairo.Path | None]] = {}

    def capture_mobjects(self, mobjects, **kwargs: object) -> None:
        # paths not drawn by this capture or the last are forgotten
        self._last_paths, self._paths = self._paths, {}
        super().capture_mobjects(mobjects, **kwargs)

    def set_cairo_context_path(self, ctx: cairo.Context, vmobject) -> LayerCamera:
        """Manim's path for ``vmobject``: a subpath ends where a curve's end anchor is
        not (in x and y, ``numpy.isclose`` with the mobject's tolerance) the next
        curve's start; a subpath shorter than a curve is left out; a subpath whose
        first and last points coincide is closed.

        A path drawn unchanged in two captures in a row (the same points, tolerance
        and cairo transform: a label, an axis, a legend's name, a contour line) is kept
        as cairo's own path and appended in one call from then on (~1 us, against
        ~25 us to trace a glyph's hundred points). The path appended is the one traced
        from the same floats under the same transform: the same pixels."""
        points = self.transform_points_pre_display(vmobject, vmobject.points)
        n = len(points)
        if n == 0:
            return self
        if vmobject.n_points_per_cubic_curve != 4:
            return super().set_cairo_context_path(ctx, vmobject)
        ctx.new_path()
        if n < 4:
            return self
        key = (points.tobytes(), tuple(ctx.get_matrix()),
               vmobject.tolerance_for_point_equality)
        seen = self._paths.get(id(vmobject)) or self._last_paths.get(id(vmobject))
        if seen is not None and seen[0] == key:
            if seen[1] is not None:
                ctx.append_path(seen[1])
            else:  # unchanged since the last capture: kept from now on
                _append_path(ctx, vmobject, points)
                seen = (key, ctx.copy_path())
            self._paths[id(vmobject)] = seen
            return self
        _append_path(ctx, vmobject, points)
        self._paths[id(vmobject)] = (key, None)
        return self

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


def _append_path(ctx: cairo.Context, vmobject, points: np.ndarray) -> None:
    """Append ``vmobject``'s subpaths (``points``: finite, four or more, cubic) to the
    path in ``ctx``, as :meth:`LayerCamera.set_cairo_context_path` describes."""
    n = len(points)
    xy = points[:, :2]
    # transform_points_pre_display leaves only finite points: isclose is plain
    starts, ends = xy[4::4], xy[3:n - 1:4]
    apart = ~(np.abs(ends - starts)
              <= vmobject.tolerance_for_point_equality + 1.0e-5 * np.abs(starts)).all(axis=1)
    bounds = [0, *(4 * (np.flatnonzero(apart) + 1)).tolist(), n]
    flat = xy.ravel().tolist()
    new_sub_path, move_to, curve_to = ctx.new_sub_path, ctx.move_to, ctx.curve_to
    same = vmobject.consider_points_equals_2d
    for a, b in zip(bounds[:-1], bounds[1:], strict=False):
        if b - a < 4:
            continue
        new_sub_path()
        move_to(flat[2 * a], flat[2 * a + 1])
        for k in range(2 * a + 2, 2 * b - 4, 8):  # each curve: two handles, end
            curve_to(*flat[k:k + 6])
        if same(flat[2 * a:2 * a + 2], flat[2 * b - 2:2 * b]):
            ctx.close_path()
