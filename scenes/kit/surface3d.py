"""A fast 3-D surface view: numpy projection + pycairo painter's algorithm.

Stock Manim 3-D surfaces cost about a millisecond of Python per face per
frame. This view projects the whole mesh with a few numpy operations and draws
it with cairo into one image layer (an ImageMobject filling the frame), so a
64-face-wide mesh costs milliseconds per frame.

Drawing order: the faces are painted back to front in the order of a height field
(by their horizontal distance from the eye), so a hill is painted over what lies
behind it. Overlays (contour segments, trails and balls) are painted over the
faces, back to front among themselves, except where the surface hides them: a
ray from each overlay point towards the eye is marched over the mesh
(:meth:`SurfaceRenderer.occluded`), per piece of contour and trail, and per
pixel for a ball cut by a skyline. So a ball behind a hill disappears and
reappears as the camera flies, and nothing shows through the surface.

The camera (:class:`Camera`) is orthographic by default; ``perspective`` in
(0, 1] makes it a pinhole camera ``distance / perspective`` units from its
target (so perspective grows smoothly from none). Orthographic, with
``elevation=90`` and ``lift=0``, the layer lines up pixel for pixel with the
2-D contour map it was built from, so the map can "rise" into the surface.

Heights are the surface's own values (``z = f(x, y)``, scaled to ``height``
scene units between the lowest and the ``clip_quantile`` value, times
``lift``); the ball rides the surface at the interpolated point.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass

import cairo
import numpy as np
from manim import ImageMobject, ManimColor, ValueTracker, config

from . import faces, theme
from .balls import first_off, nested_scale
from .camera3d import Camera, CameraPath, View
from .contour import ContourMap
from .timeline import Timeline, at, reached

__all__ = ["AMBIENT", "LIGHT", "MESH", "Ball3D", "Camera", "CameraPath", "SurfaceRenderer",
           "SurfaceView", "View", "mesh_shape"]


@dataclass
class Ball3D:
    positions: np.ndarray  # (steps+1, 2) data coordinates
    color: str

    def __post_init__(self) -> None:
        self.positions = np.asarray(self.positions, float)
        self.rgb = np.array(ManimColor(self.color).to_rgb())
        #: which iterates are finite (the others are never drawn)
        self.finite = np.all(np.isfinite(self.positions), axis=-1)
        self._gone: tuple[object, float] | None = None

    def gone_at(self, frame: object) -> float:
        """The first iterate off ``frame`` (the map), for good: past it the ball is not
        drawn (inf: none); kept per map, as the positions never change."""
        if self._gone is None or self._gone[0] is not frame:
            self._gone = (frame, first_off(frame, self.positions))
        return self._gone[1]


#: the minima's stars in the 3-D view: the theme's foreground, as on the 2-D map
STAR_RGB = np.array(ManimColor(theme.FOREGROUND).to_rgb())

#: trail pieces and balls are painted back to front in steps of this depth (scene units)
PAINT_DEPTH_STEP = 0.05

#: a trail's casing in the 3-D view: a darker, wider stroke beneath its colour
CASING_RGB = np.array(ManimColor(theme.BACKGROUND).to_rgb())
CASING_ALPHA = 0.55
CASING_WIDTH = 2.2

#: the clip's soft edge: the share of the height range over which a hill taller than
#: the clip levels off (:meth:`SurfaceRenderer.clipped`)
CLIP_SOFTNESS = 0.04

#: faces along x of the 3-D view's mesh (y follows the map's aspect)
MESH = 64
#: ambient share of a face's brightness; the rest follows the light (``n · LIGHT``)
AMBIENT = 0.42
#: the grey an underside is mixed with, and how much of it (see :meth:`SurfaceRenderer._draw`)
UNDERSIDE_RGB = np.array([0x59, 0x62, 0x6E]) / 255.0  # the theme's frame grey
UNDERSIDE_MIX = 0.4
#: unit vector towards the light (from the south-west, high up)
LIGHT = np.array([-0.35, -0.45, 0.82]) / np.linalg.norm([-0.35, -0.45, 0.82])


#: a ray passing this share of the mesh's height below the surface is hidden by it
OCCLUSION_MARGIN = 0.01
#: most samples along one ray of the occlusion test
MAX_OCCLUSION_STEPS = 400
#: rays are marched in this many groups of similar length
OCCLUSION_GROUPS = 4
#: fewest rays worth a group of their own
OCCLUSION_GROUP_SIZE = 64
#: longest piece of a trail tested for occlusion on its own (scene units)
TRAIL_PIECE = 0.12


def mesh_shape(width: float, height: float, mesh: int = MESH) -> tuple[int, int]:
    """Faces ``(nx, ny)`` of the 3-D mesh over a ``width`` x ``height`` map."""
    return mesh, max(8, int(round(mesh * height / width)))


class SurfaceRenderer:
    """Projects and rasterises a surface mesh with balls and trails."""

    def __init__(self, contour: ContourMap, *, mesh: int = MESH, height: float = 2.0,
                 clip_quantile: float = 0.98, ball_radius: float = 0.12,
                 contour_points: int = 48, minima: bool = False) -> None:
        self.map = contour
        self.surface = contour.surface
        #: the surface's known minima inside the map, starred as on the 2-D map
        #: (``minima=True``)
        known = np.asarray(self.surface.minima if minima else [], float).reshape(-1, 2)
        self.minima_xy = known[contour.inside(known)] if len(known) else known
        (self.x0, self.x1), (self.y0, self.y1) = contour.x_range, contour.y_range
        lo, hi = contour._corners()
        self.centre_scene = (lo + hi) / 2
        self.sx = (hi[0] - lo[0]) / (self.x1 - self.x0)
        self.sy = (hi[1] - lo[1]) / (self.y1 - self.y0)
        nx, ny = mesh_shape(hi[0] - lo[0], hi[1] - lo[1], mesh)
        xs, ys, Z = self.surface.grid(nx + 1, ny + 1, view=(contour.x_range, contour.y_range))
        self.zmin = float(np.nanmin(Z))
        self.zclip = float(np.quantile(Z[np.isfinite(Z)], clip_quantile))
        self.hz = height / max(self.zclip - self.zmin, 1e-12)
        #: whether any of the surface rises above the clip (then it is levelled off softly)
        self._clips = bool(np.nanmax(Z) > self.zclip)
        X, Y = np.meshgrid(xs, ys)
        self.grid_xy = np.stack([X, Y], -1)
        self.grid_z = Z
        fz = (Z[:-1, :-1] + Z[1:, :-1] + Z[:-1, 1:] + Z[1:, 1:]) / 4
        self.face_rgb = theme.colormap(contour.scale_.fraction(fz)).reshape(-1, 3)
        self.ball_radius = ball_radius
        self.contours = self._contour_polylines(contour_points)
        # every contour point in one array (line i holds rows line_start[i]..), with its
        # level and the face under it, so a frame handles them with a few array operations
        if self.contours:
            self._c_xy = np.concatenate([pts for pts, _, _ in self.contours])
            self._c_level = np.concatenate([np.full(len(pts), level)
                                            for pts, level, _ in self.contours])
            sizes = np.array([len(pts) for pts, _, _ in self.contours])
            self._c_start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
            self._c_face = self._face_index(self._c_xy)
            # segment j joins rows j and j + 1 of one line: not the last row of a line
            last = np.zeros(len(self._c_xy), dtype=bool)
            last[self._c_start + sizes - 1] = True
            self._c_seg = np.nonzero(~last)[0]
            self._c_line = np.repeat(np.arange(len(sizes)), sizes)

    # -- geometry ------------------------------------------------------------
    def clipped(self, z: np.ndarray) -> np.ndarray:
        """Surface values ``z`` levelled off smoothly towards the clip value ``c``: below
        ``c - w`` (``w`` is :data:`CLIP_SOFTNESS` of the height range) unchanged, above
        it ``c - w exp(-(z - c + w) / w)``, which meets them with the same slope and
        approaches ``c``. A hill taller than the clip gets a rounded shoulder, not a flat
        top whose edge follows the mesh's cells in steps. A surface with nothing above
        the clip (``clip_quantile=1``) is left as it is."""
        z = np.asarray(z, float)
        if not self._clips:
            return np.minimum(z, self.zclip)
        w = CLIP_SOFTNESS * max(self.zclip - self.zmin, 1e-12)
        knee = self.zclip - w
        with np.errstate(invalid="ignore", over="ignore"):
            return np.where(z <= knee, z, self.zclip - w * np.exp(-(z - knee) / w))

    def world(self, xy: np.ndarray, z: np.ndarray, lift: float) -> np.ndarray:
        xy = np.asarray(xy, float)
        cx, cy = (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2
        zz = (self.clipped(z) - self.zmin) * self.hz * lift
        return np.stack([(xy[..., 0] - cx) * self.sx, (xy[..., 1] - cy) * self.sy, zz], -1)

    def _contour_polylines(self, max_points: int) -> list[tuple[np.ndarray, float, np.ndarray]]:
        """(data points, level, rgb) of each of the map's contour lines, thinned."""
        out = []
        for seg, level in self.map.data_lines:
            step = max(1, len(seg) // max_points)
            pts = seg[::step]
            if not np.allclose(pts[-1], seg[-1]):
                pts = np.vstack([pts, seg[-1]])
            out.append((pts, level, theme.colormap(self.map.scale_.fraction(level))))
        return out

    def extent(self, camera: Camera, lift: float) -> tuple[float, float, float, float]:
        """(left, right, bottom, top) in scene units of the mesh drawn with ``camera``,
        widened by a ball's radius (balls ride on the surface, inside the mesh)."""
        d, right, up = camera.basis()
        target = np.asarray(camera.target, float)
        persp = float(np.clip(camera.perspective, 0.0, 1.0))
        dist = camera.distance / max(persp, 1e-9)
        V = self.world(self.grid_xy, self.grid_z, lift).reshape(-1, 3)
        Q = V - target
        k = dist / np.maximum(dist - Q @ d, 1e-3 * dist) if persp > 0 else np.ones(len(Q))
        sc = self.centre_scene[:2] if camera.screen is None else camera.screen
        x = sc[0] + (Q @ right) * camera.zoom * k
        y = sc[1] + (Q @ up) * camera.zoom * k
        pad = self.ball_radius * 2.2 * camera.zoom * float(k.max())
        return (float(x.min() - pad), float(x.max() + pad), float(y.min() - pad),
                float(y.max() + pad))

    # -- visibility ---------------------------------------------------------
    def heights(self, lift: float) -> np.ndarray:
        """World heights of the mesh's grid points, ``(ny + 1, nx + 1)`` (kept for the
        last ``lift`` asked: a frame asks many times for one lift)."""
        cached = getattr(self, "_heights", None)
        if cached is None or cached[0] != lift:
            self._heights = (lift, (self.clipped(self.grid_z) - self.zmin)
                             * self.hz * lift)
        return self._heights[1]

    def height_at(self, W: np.ndarray, lift: float) -> np.ndarray:
        """The drawn surface's world height under world points ``W[..., :2]`` (bilinear
        over the mesh; NaN outside it)."""
        Zw = self.heights(lift)
        ny, nx = Zw.shape[0] - 1, Zw.shape[1] - 1
        cx, cy = (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2
        fx = (W[..., 0] / self.sx + cx - self.x0) / (self.x1 - self.x0) * nx
        fy = (W[..., 1] / self.sy + cy - self.y0) / (self.y1 - self.y0) * ny
        out = (fx < 0) | (fx > nx) | (fy < 0) | (fy > ny)
        i = np.clip(np.floor(fx), 0, nx - 1).astype(np.intp)
        j = np.clip(np.floor(fy), 0, ny - 1).astype(np.intp)
        u, v = np.clip(fx - i, 0, 1), np.clip(fy - j, 0, 1)
        flat, k = Zw.ravel(), j * (nx + 1) + i  # gathers from the flat grid: faster
        z00, z01 = flat.take(k), flat.take(k + 1)
        z10, z11 = flat.take(k + nx + 1), flat.take(k + nx + 2)
        z = (z00 * (1 - u) + z01 * u) * (1 - v) + (z10 * (1 - u) + z11 * u) * v
        return np.where(out, np.nan, z)

    def can_hide(self, view: View) -> bool:
        """Whether any part of the surface can hide anything from ``view``: not on a
        flat map (no lift, or a flat surface), nor looking straight down without
        perspective (with it, the rays fan out, and a tall hill hides what lies behind
        it from the eye)."""
        return view.lift > 0 and self.zclip > self.zmin and (
            view.d[2] <= 0.9999 or view.persp > 0)

    def occluded(self, P: np.ndarray, view: View) -> np.ndarray:
        """Whether the surface hides each world point ``P`` (``(n, 3)``) from the camera.

        The ray from each point towards the eye is marched over the mesh in steps of
        half a face; the point is hidden when the ray passes below the drawn surface
        (by more than ``OCCLUSION_MARGIN`` of the height) before it rises above the
        highest point of the mesh or leaves it. The first ``0.75`` face of the ray is
        not tested: a point lying on the surface is not hidden by the face it is on.
        Looking straight down without perspective, or at a flat map, nothing is hidden.
        A point that is not finite (NaN or inf in any coordinate) cannot be drawn: it is
        reported hidden, and the others are tested without it.
        """
        P = np.asarray(P, float).reshape(-1, 3)
        finite = np.isfinite(P).all(axis=1)
        if not finite.all():
            hidden = ~finite
            hidden[finite] = self.occluded(P[finite], view)
            return hidden
        hidden = np.zeros(len(P), dtype=bool)
        if len(P) == 0 or not self.can_hide(view):
            return hidden
        top = (self.zclip - self.zmin) * self.hz * view.lift
        if view.persp > 0:
            to_eye = view.eye - P
            length = np.linalg.norm(to_eye, axis=1)
            ray = to_eye / length[:, None]
        else:
            ray = np.broadcast_to(view.d, P.shape)
            length = np.full(len(P), np.inf)
        cell = min(abs(self.sx) * (self.x1 - self.x0) / (self.grid_z.shape[1] - 1),
                   abs(self.sy) * (self.y1 - self.y0) / (self.grid_z.shape[0] - 1))
        half_x = abs(self.sx) * (self.x1 - self.x0) / 2
        half_y = abs(self.sy) * (self.y1 - self.y0) / 2
        # how far each ray must be followed: until it is above the top, or off the mesh
        # (a step past the mesh's edge, where heights are NaN and hide nothing)
        rise = np.where(ray[:, 2] > 1e-9, (top - P[:, 2]) / np.maximum(ray[:, 2], 1e-9), np.inf)
        step = 0.5 * cell
        with np.errstate(divide="ignore", invalid="ignore"):
            exits = [np.where(r > 1e-9, (h - p) / r, np.where(r < -1e-9, (-h - p) / r, np.inf))
                     for r, p, h in ((ray[:, 0], P[:, 0], half_x), (ray[:, 1], P[:, 1], half_y))]
        off = np.maximum(np.minimum(*exits), 0.0) + step
        reach = np.minimum(np.minimum(rise, length), np.minimum(off, np.hypot(2 * half_x,
                                                                               2 * half_y)))
        steps = np.minimum(np.ceil(np.maximum(reach, 0.0) / step), MAX_OCCLUSION_STEPS)
        if steps.max() <= 1:
            return hidden
        # rays of similar length together, so a short ray is not marched as far as the
        # longest (the samples past a ray's reach never count, so the grouping changes no
        # answer); a few rays (a ball's coarse look) are marched as one group
        order = np.argsort(steps, kind="stable")
        groups = min(OCCLUSION_GROUPS, max(1, len(order) // OCCLUSION_GROUP_SIZE))
        for group in np.array_split(order, groups):
            k = int(steps[group[-1]])
            if k <= 1:
                continue
            s = 0.75 * cell + step * np.arange(k)
            Q = P[group, None, :] + s[None, :, None] * ray[group, None, :]
            z = self.height_at(Q, view.lift)
            below = (s[None, :] <= reach[group, None]) & (
                Q[..., 2] < z - OCCLUSION_MARGIN * top)
            hidden[group] = below.any(axis=1)
        return hidden

    # -- rendering ------------------------------------------------------------
    def render(self, width: int, height: int, camera: Camera, lift: float,
               balls: list[Ball3D], iteration: float, contour_opacity: float = 1.0,
               trail_opacity: float = 1.0) -> np.ndarray:
        """RGBA image ``(height, width, 4)`` of the scene at ``iteration`` (straight
        alpha; :meth:`render_surface` gives cairo's own surface)."""
        surf = self.render_surface(width, height, camera, lift, balls, iteration,
                                   contour_opacity, trail_opacity)
        return _premultiplied_to_straight(_surface_array(surf)[..., [2, 1, 0, 3]])

    def render_surface(self, width: int, height: int, camera: Camera, lift: float,
                       balls: list[Ball3D], iteration: float, contour_opacity: float = 1.0,
                       trail_opacity: float = 1.0, rgba_order: bool = False
                       ) -> cairo.ImageSurface:
        """The image as a cairo surface: see :meth:`_draw`.

        A frame makes tens of thousands of short-lived floats and lists and no
        reference cycles, so the cyclic garbage collector is paused meanwhile (each of
        its passes would walk the whole scene: a third of a frame's time)."""
        paused = gc.isenabled()
        gc.disable()
        try:
            return self._draw(width, height, camera, lift, balls, iteration,
                              contour_opacity, trail_opacity, rgba_order)
        finally:
            if paused:
                gc.enable()

    def _draw(self, width: int, height: int, camera: Camera, lift: float,
              balls: list[Ball3D], iteration: float, contour_opacity: float,
              trail_opacity: float, rgba_order: bool) -> cairo.ImageSurface:
        """The image as a cairo surface (premultiplied; in memory B, G, R, A, or R, G,
        B, A with ``rgba_order``, the order of Manim's frame, which Manim also draws
        into with cairo).

        Faces are painted back to front in the order of a height field: by their
        horizontal distance from the eye (along the view direction, orthographic),
        farthest first, so a hill is painted over what lies behind it from any
        camera above the surface. Contours, trails and balls are painted over the
        faces, except where the surface hides them (:meth:`occluded`): contour and
        trail segments are tested piece by piece, balls pixel by pixel.
        """
        order_rgb = (lambda c: np.asarray(c)[..., ::-1]) if rgba_order else np.asarray
        view = View(self, width, height, camera, lift)
        V = self.world(self.grid_xy, self.grid_z, lift)
        S, _ = view.project(V)
        quads = np.stack([S[:-1, :-1], S[:-1, 1:], S[1:, 1:], S[1:, :-1]], 2).reshape(-1, 4, 2)
        centre3 = ((V[:-1, :-1] + V[1:, 1:] + V[:-1, 1:] + V[1:, :-1]) / 4).reshape(-1, 3)
        n = np.cross(V[1:, 1:] - V[:-1, :-1], V[:-1, 1:] - V[1:, :-1]).reshape(-1, 3)
        n /= np.linalg.norm(n, axis=1, keepdims=True) + 1e-12
        n[n[:, 2] < 0] *= -1
        shade = AMBIENT + (1 - AMBIENT) * np.clip(n @ LIGHT, 0, 1)
        facing = view.facing(n, centre3)
        lit = self.face_rgb * shade[:, None]
        # a face turned away from the camera shows its underside: darker, and mixed with a
        # grey of its own so the colour map's dark end does not vanish into the background
        # (where a surface curls up towards a low camera, its underside had read as a hole)
        under = (1 - UNDERSIDE_MIX) * 0.55 * lit + UNDERSIDE_MIX * UNDERSIDE_RGB
        rgb = order_rgb(np.clip(np.where((facing < 0)[:, None], under, lit), 0, 1))

        # grow each face by ~0.7 px about its centre: no hairline seams, no stroke needed
        centres = quads.mean(axis=1, keepdims=True)
        radius = np.linalg.norm(quads - centres, axis=2, keepdims=True) + 1e-9
        quads = centres + (quads - centres) * (1.0 + 0.7 / radius)

        surf = cairo.ImageSurface(cairo.FORMAT_ARGB32, width, height)
        ctx = cairo.Context(surf)
        ctx.set_line_join(cairo.LINE_JOIN_ROUND)
        ctx.set_line_cap(cairo.LINE_CAP_ROUND)
        order = np.argsort(-view.horizontal_depth(centre3), kind="stable")
        # faces with a pixel on screen, as plain floats (cairo calls dominate the loop)
        corners = [quads[:, k] for k in range(4)]  # elementwise: faster than min(axis=1)
        lo = np.minimum(np.minimum(corners[0], corners[1]), np.minimum(corners[2], corners[3]))
        hi = np.maximum(np.maximum(corners[0], corners[1]), np.maximum(corners[2], corners[3]))
        on_screen = (hi[:, 0] >= 0) & (lo[:, 0] <= width) & (hi[:, 1] >= 0) & (lo[:, 1] <= height)
        order = order[on_screen[order]]
        # one row of 11 floats per face (colour, four corners), filled in order; while
        # they fill (in C), the overlays' geometry, which draws nothing
        contours, (keys, payload) = faces.fill_while(
            ctx, np.concatenate([rgb[order], quads[order].reshape(-1, 8)], axis=1),
            lambda: (self._contour_items(view, facing) if contour_opacity > 0 else [],
                     self._overlay_items(balls, iteration, view, trail_opacity, facing)))

        # contours lie on the surface, beneath every trail and ball: drawn first
        line_w = max(1.2, 2.2 * width / 1920 * camera.zoom ** 0.5)
        if contour_opacity > 0:
            ctx.set_line_width(line_w)
            for line, c in contours:
                ctx.set_source_rgba(*order_rgb(0.15 + 0.85 * c), 0.9 * contour_opacity)
                _trace(ctx, line)
                ctx.stroke()

        if len(self.minima_xy) and contour_opacity > 0:  # on the surface, beneath the balls
            self._paint_minima(ctx, view, contour_opacity, order_rgb)

        # trails and balls, back to front among themselves
        # every trail's dark casing first, beneath all the trails' colours and the balls
        # (it makes a trail stand off the lit surface; painted piece by piece with its
        # own trail, it had striped the other trails where they run together)
        for kind, what in payload:
            if kind == 2:
                line, _, alpha, w = what
                _trace(ctx, line)
                ctx.set_source_rgba(*order_rgb(CASING_RGB), CASING_ALPHA * alpha)
                ctx.set_line_width(w * CASING_WIDTH)
                ctx.stroke()
        painted: list[tuple[np.ndarray, float]] = []  # balls so far: (centre, size)
        for idx in sorted(range(len(keys)), key=keys.__getitem__):
            kind, what = payload[idx]
            if kind == 2:
                line, c, alpha, w = what
                _trace(ctx, line)
                ctx.set_source_rgba(*order_rgb(c), alpha)
                ctx.set_line_width(w)
                ctx.stroke()
            else:  # over a ball it meets, smaller: rings in rings, as on the 2-D map
                centre, r_px, c, mask, world = what
                size = nested_scale(world, painted, 2 * self.ball_radius)
                painted.append((world, size))
                _paint_ball(ctx, centre, r_px * size, order_rgb(c), mask)
        surf.flush()
        return surf

    def _overlay_items(self, balls: list[Ball3D], iteration: float, view: View,
                       trail_opacity: float, facing: np.ndarray
                       ) -> tuple[list[tuple[int, int, int]], list[tuple[int, object]]]:
        """Every ball's trail pieces and ball (:meth:`_ball_items`), with the keys that
        sort them back to front: by depth to a step of ``PAINT_DEPTH_STEP``; at one
        step, trails beneath balls, and runs in their order (two trails that run
        together had been striped piece by piece by the rounding of their depths)."""
        keys: list[tuple[int, int, int]] = []
        payload: list[tuple[int, object]] = []
        for i, ball in enumerate(balls):
            for depth_, kind, what in self._ball_items(ball, iteration, view, trail_opacity,
                                                      facing):
                keys.append((-int(np.floor(depth_ / PAINT_DEPTH_STEP)), kind, i))
                payload.append((kind, what))
        return keys, payload

    def _paint_minima(self, ctx: cairo.Context, view: View, opacity: float,
                      order_rgb: Callable[[np.ndarray], np.ndarray]) -> None:
        """A star at each known minimum the surface leaves visible (the depth test at its
        tip), as large as a ball there: the target the balls roll towards, in 3-D too."""
        W = self.world(self.minima_xy, self.surface.value(self.minima_xy), view.lift)
        W = W + [0, 0, self.ball_radius * 0.3]
        hidden = self.occluded(W, view)
        S, _ = view.project(W)
        k = view.magnification((W - view.target) @ view.d)
        radius = self.ball_radius * view.px_per_unit * np.broadcast_to(k, len(W))
        star = np.array([[np.sin(a), -np.cos(a)] for a in np.arange(10) * np.pi / 5])
        star *= np.where(np.arange(10) % 2, 0.42, 1.0)[:, None]
        for (x, y), r, gone in zip(S.tolist(), radius.tolist(), hidden.tolist(), strict=True):
            if gone:
                continue
            _trace(ctx, (np.array([x, y]) + r * star).tolist())
            ctx.close_path()
            ctx.set_source_rgba(*order_rgb(STAR_RGB), opacity)
            ctx.fill_preserve()
            ctx.set_source_rgba(*order_rgb(CASING_RGB), 0.6 * opacity)
            ctx.set_line_width(max(1.0, 0.12 * r))
            ctx.stroke()

    def _face_index(self, xy: np.ndarray) -> np.ndarray:
        """Index of the mesh face under each data point."""
        nyf, nxf = self.grid_z.shape[0] - 1, self.grid_z.shape[1] - 1
        i = np.clip(((xy[:, 0] - self.x0) / (self.x1 - self.x0) * nxf).astype(int), 0, nxf - 1)
        j = np.clip(((xy[:, 1] - self.y0) / (self.y1 - self.y0) * nyf).astype(int), 0, nyf - 1)
        return j * nxf + i

    def _contour_items(self, view: View, facing: np.ndarray) -> list:
        """``(points, rgb)`` of each run of visible contour segments: one stroke each."""
        if not self.contours:
            return []
        W = self.world(self._c_xy, self._c_level, view.lift)
        seg = self._c_seg
        on_front = facing[self._c_face] >= 0  # not on a face turned away
        shown = np.zeros(len(W), dtype=bool)
        ok = on_front[seg] & on_front[seg + 1]
        shown[seg[ok]] = ~self.occluded((W[seg[ok]] + W[seg[ok] + 1]) / 2, view)
        if not shown.any():
            return []
        s2 = view.project(W)[0]
        colours = [c for _, _, c in self.contours]
        line_of = self._c_line
        # a line's last row is never shown, so no run crosses from one line to the next
        return [(s2[j:k + 1].tolist(), colours[line_of[j]]) for j, k in _runs(shown)]

    def _reached(self, ball: Ball3D, iteration: float) -> np.ndarray:
        """``ball``'s finite iterates reached at ``iteration``, plus the interpolated head
        between two iterates: its trail's points (the ball is drawn at the last)."""
        pos = ball.positions
        k_last = min(reached(iteration), len(pos) - 1)
        pts = pos[:k_last + 1][ball.finite[:k_last + 1]]
        head = at(pos, iteration)
        if iteration > k_last and np.all(np.isfinite(head)):
            pts = np.vstack([pts, head[None, :]])
        return pts

    def ball_point(self, ball: Ball3D, iteration: float,
                   pts: np.ndarray | None = None) -> np.ndarray | None:
        """Where the view draws ``ball`` at ``iteration`` (``pts``: :meth:`_reached`, when
        already at hand): the last point it reached, while that is on the map and the
        ball has not left the map for good; None where no ball is drawn."""
        pts = self._reached(ball, iteration) if pts is None else pts
        if (len(pts) == 0 or iteration > ball.gone_at(self.map)
                or not self.map.inside(pts[-1:])[0]):
            return None
        return pts[-1]

    def ball_centres(self, xy: np.ndarray, lift: float) -> np.ndarray:
        """World centres of balls resting at data points ``xy``: a radius above the
        surface."""
        return self.world(xy, self.surface.value(xy), lift) + [0.0, 0.0, self.ball_radius]

    def _ball_items(self, ball: Ball3D, iteration: float, view: View, trail_opacity: float,
                    facing: np.ndarray) -> list:
        """``(depth, kind, what)`` of a ball's visible trail pieces (kind 2) and of the
        ball (kind 3, with its visibility mask when a hill hides part of it)."""
        rgb = ball.rgb
        pts = self._reached(ball, iteration)
        items: list = []
        if len(pts) == 0:
            return items
        # the trail: inside the map, and not on a face turned away from the camera (it
        # lies on the surface's upper side, which such a face hides)
        on_map = self.map.inside(pts)
        inside = on_map & (facing[self._face_index(pts)] >= 0)
        if trail_opacity > 0 and len(pts) > 1:
            items += self._trail_items(pts, inside, view, rgb, trail_opacity)
        # the ball stands above the surface: on a face turned away (past a crest, on a
        # hilltop, seen from low) its upper part may still show, as the depth test says
        if self.ball_point(ball, iteration, pts) is not None:
            centre_w = self.ball_centres(pts[-1:], view.lift)[0]
            c_px, c_dep = view.project(centre_w[None, :])
            r_px = self.ball_radius * view.px_per_unit * float(view.magnification(
                (centre_w - view.target) @ view.d))
            mask = self._ball_mask(centre_w, c_px[0], r_px, view)
            if mask is not False:
                items.append((c_dep[0] - self.ball_radius, 3,
                              (c_px[0], r_px, rgb, mask, centre_w)))
        return items

    def _trail_items(self, pts: np.ndarray, inside: np.ndarray, view: View, rgb: np.ndarray,
                     opacity: float) -> list:
        """A trail: the straight segment between consecutive inside iterates (a little
        above the surface at both ends), cut into pieces of at most ``TRAIL_PIECE`` scene
        units where the surface could hide part of it, raised onto the surface where
        the chord would pass beneath it (the trail runs over the ground it crossed, so
        only a fold in front of it hides it); each run of unhidden pieces is one
        stroke."""
        zs = self.surface.value(pts)
        W = self.world(pts, zs, view.lift) + [0, 0, self.ball_radius * 0.25]
        width_px = max(1.5, 3.0 * config.pixel_width / 1920)
        segments = np.nonzero(inside[:-1] & inside[1:])[0]
        if len(segments) == 0:
            return []
        a, b = W[segments], W[segments + 1]
        n = np.ones(len(segments), dtype=int)
        if self.can_hide(view):
            n = np.maximum(1, np.ceil(np.linalg.norm(b - a, axis=1) / TRAIL_PIECE)).astype(int)
        # every segment's n + 1 points in one array: segment i holds rows first[i]..
        first = np.concatenate([[0], np.cumsum(n + 1)[:-1]])
        seg = np.repeat(np.arange(len(n)), n + 1)
        f = (np.arange(len(seg)) - first[seg]) / n[seg]
        Q = a[seg] + (b - a)[seg] * f[:, None]
        if n.max() > 1:  # where a long chord would dip into the surface, it runs over it
            Q[:, 2] = np.fmax(Q[:, 2], self.height_at(Q, view.lift) + self.ball_radius * 0.25)
        # piece j joins rows j and j + 1 of the same segment
        starts = np.ones(len(Q), dtype=bool)
        starts[first + n] = False
        piece = np.nonzero(starts)[0]
        shown = np.zeros(len(Q), dtype=bool)
        shown[piece] = ~self.occluded((Q[piece] + Q[piece + 1]) / 2, view)
        runs = _runs(shown)
        if not runs:
            return []
        s2, dep = view.project(Q)
        # each run's mean depth at once (a run holds rows j..k: k - j + 1 of them)
        j, k = np.array(runs).T
        total = np.concatenate([[0.0], np.cumsum(dep)])
        depths = ((total[k + 1] - total[j]) / (k - j + 1) - 0.03).tolist()
        rows = s2.tolist()
        # a segment's last row is never shown, so no run crosses from one to the next
        return [(d, 2, (rows[j:k + 1], rgb, 0.9 * opacity, width_px))
                for d, (j, k) in zip(depths, runs, strict=True)]

    def _ball_mask(self, centre: np.ndarray, c_px: np.ndarray, r_px: float,
                   view: View) -> np.ndarray | None | bool:
        """Which pixels of a ball the surface leaves visible: None when all of them,
        False when none, else a ``(rows, cols)`` array of alpha over the ball's box
        (``_paint_ball`` places it). Seventeen points of the ball's near hemisphere
        are tested first; when some are hidden and some not, each pixel's point is
        tested with :meth:`occluded` (a ridge thinner than a fifth of the ball,
        between the coarse points, could be missed)."""
        if not self.can_hide(view):
            return None
        # first a coarse look (the centre, two rings of 8): all seen or all hidden
        # settles it; only a ball behind a skyline is tested pixel by pixel
        ang = np.linspace(0, 2 * np.pi, 8, endpoint=False)
        rad = np.concatenate([[0.0], np.full(8, 0.55), np.full(8, 0.95)]) * self.ball_radius
        ang = np.concatenate([[0.0], ang, ang + np.pi / 8])
        du, dv = rad * np.cos(ang), rad * np.sin(ang)
        h = np.sqrt(np.maximum(self.ball_radius**2 - du**2 - dv**2, 0.0))
        coarse = self.occluded(centre + du[:, None] * view.right + dv[:, None] * view.up
                               + h[:, None] * view.d, view)
        if not coarse.any():
            return None
        if coarse.all():
            return False
        pad = r_px * 1.12 + 1.5  # the outline and the antialiased edge
        x0, y0 = int(np.floor(c_px[0] - pad)), int(np.floor(c_px[1] - pad))
        x1, y1 = int(np.ceil(c_px[0] + pad)), int(np.ceil(c_px[1] + pad))
        u = np.arange(x0, x1) + 0.5 - c_px[0]
        v = np.arange(y0, y1) + 0.5 - c_px[1]
        U, Vv = np.meshgrid(u, v)
        scale = r_px / self.ball_radius  # pixels per world unit at the ball
        du, dv = U / scale, -Vv / scale
        rr = np.hypot(du, dv)
        shrink = np.where(rr > self.ball_radius, self.ball_radius / np.maximum(rr, 1e-12), 1.0)
        du, dv = du * shrink, dv * shrink
        h = np.sqrt(np.maximum(self.ball_radius**2 - du**2 - dv**2, 0.0))
        P = (centre + du[..., None] * view.right + dv[..., None] * view.up
             + h[..., None] * view.d)
        hidden = self.occluded(P.reshape(-1, 3), view).reshape(U.shape)
        if not hidden.any():
            return None
        if hidden.all():
            return False
        return (x0, y0, np.where(hidden, 0, 255).astype(np.uint8))


def _trace(ctx: cairo.Context, line: list[list[float]]) -> None:
    """The polyline ``line`` (pixels) as cairo's current path."""
    ctx.move_to(*line[0])
    for point in line[1:]:
        ctx.line_to(*point)


def _camera_key(camera: Camera) -> tuple:
    """``camera``'s fields as plain floats: equal exactly when the cameras are."""
    screen = None if camera.screen is None else tuple(map(float, camera.screen))
    return (float(camera.azimuth), float(camera.elevation), float(camera.zoom),
            tuple(map(float, camera.target)), screen, float(camera.perspective),
            float(camera.distance))


def _runs(shown: np.ndarray) -> list[tuple[int, int]]:
    """``(j, k)`` of each run of shown segments ``j..k-1`` (segment ``i`` joins rows ``i``
    and ``i + 1``): the stroke through rows ``j..k``."""
    edges = np.diff(np.concatenate([[0], shown.astype(np.int8), [0]]))
    return list(zip(np.nonzero(edges == 1)[0].tolist(), np.nonzero(edges == -1)[0].tolist(),
                    strict=True))


def _surface_array(surf: cairo.ImageSurface) -> np.ndarray:
    """The surface's pixels as a ``(height, width, 4)`` uint8 view (no copy)."""
    h, w = surf.get_height(), surf.get_width()
    stride = surf.get_stride()
    return np.ndarray((h, w, 4), np.uint8, surf.get_data(), strides=(stride, 4, 1))


def _premultiplied_to_straight(px: np.ndarray) -> np.ndarray:
    """Premultiplied colour (alpha last) -> straight alpha, as a new array.

    Only partly transparent pixels (antialiased edges) need un-premultiplying.
    """
    out = np.array(px, np.uint8)
    a = out[..., 3]
    edge = (a > 0) & (a < 255)
    if edge.any():
        e = out[edge].astype(np.uint16)
        e[:, :3] = np.minimum(e[:, :3] * 255 // np.maximum(e[:, 3:4], 1), 255)
        out[edge] = e.astype(np.uint8)
    return out


def _paint_ball(ctx: cairo.Context, centre: np.ndarray, radius: float, c: np.ndarray,
                mask: tuple[int, int, np.ndarray] | None) -> None:
    """A shaded ball with a light outline; through ``mask`` (alpha over a box of pixels
    at ``(x0, y0)``) where a hill hides part of it."""
    if mask is not None:
        ctx.push_group()
    grad = cairo.RadialGradient(centre[0] - radius * 0.35, centre[1] - radius * 0.35,
                                radius * 0.1, centre[0], centre[1], radius)
    # a small highlight, the run's own colour over most of the ball, a darker edge: the
    # colour reads as the legend's (a white-to-dark ramp had paled sky blue into the
    # blue surface)
    grad.add_color_stop_rgb(0, *(0.45 + 0.55 * c))
    grad.add_color_stop_rgb(0.45, *c)
    grad.add_color_stop_rgb(1, *(0.6 * c))
    ctx.set_source(grad)
    ctx.arc(centre[0], centre[1], radius, 0, 2 * np.pi)
    ctx.fill_preserve()
    ctx.set_source_rgba(0.9, 0.91, 0.92, 0.9)
    ctx.set_line_width(max(1.0, radius * 0.12))
    ctx.stroke()
    if mask is not None:
        x0, y0, alpha = mask
        h, w = alpha.shape
        stride = cairo.ImageSurface.format_stride_for_width(cairo.FORMAT_A8, w)
        buf = np.zeros((h, stride), np.uint8)
        buf[:, :w] = alpha
        m = cairo.ImageSurface.create_for_data(memoryview(buf), cairo.FORMAT_A8, w, h, stride)
        ctx.pop_group_to_source()
        ctx.mask_surface(m, x0, y0)


class SurfaceView(ImageMobject):
    """The 3-D layer: camera, lift and overlays driven by trackers each frame.

    Trackers (animate them like any ValueTracker): ``azimuth``, ``elevation``,
    ``zoom``, ``lift`` (0 = flat map, 1 = full height), ``target_x``,
    ``target_y`` (scene units relative to the map's centre),
    ``contour_opacity``.
    """

    def __init__(self, contour: ContourMap, balls: list[Ball3D], timeline: Timeline,
                 **renderer_kwargs: object) -> None:
        self.renderer3d = SurfaceRenderer(contour, **renderer_kwargs)
        self.balls3d, self.timeline = balls, timeline
        self.azimuth = ValueTracker(-90.0)
        self.elevation = ValueTracker(90.0)
        self.zoom = ValueTracker(1.0)
        self.perspective = ValueTracker(0.0)
        self.lift = ValueTracker(0.0)
        self.target_x = ValueTracker(0.0)
        self.target_y = ValueTracker(0.0)
        centre = self.renderer3d.centre_scene
        self.screen_x = ValueTracker(float(centre[0]))
        self.screen_y = ValueTracker(float(centre[1]))
        self.contour_opacity = ValueTracker(1.0)
        self.trail_opacity = ValueTracker(1.0)
        # ImageMobject.set_opacity overwrites the alpha channel: fade with this instead
        self.layer_opacity = ValueTracker(1.0)
        #: when set, the camera comes from this function instead of the trackers
        self.camera_fn: Callable[[], Camera] | None = None
        w, h = config.pixel_width, config.pixel_height
        super().__init__(np.zeros((h, w, 4), np.uint8), scale_to_resolution=h)
        self.set(height=config.frame_height).move_to([0, 0, 0])
        self.full_frame_layer = True  # LayerCamera blends it directly
        self.add_updater(lambda m: m.redraw())
        self._due = False
        #: (inputs, image) of the last frame drawn (:meth:`frame_image`)
        self._last_image: tuple[tuple, cairo.ImageSurface] | None = None
        self.redraw()

    def camera(self) -> Camera:
        if self.camera_fn is not None:
            return self.camera_fn()
        return Camera(azimuth=self.azimuth.get_value(), elevation=self.elevation.get_value(),
                      zoom=self.zoom.get_value(), perspective=self.perspective.get_value(),
                      target=(self.target_x.get_value(), self.target_y.get_value(), 0.0),
                      screen=(self.screen_x.get_value(), self.screen_y.get_value()))

    def frame_image(self) -> cairo.ImageSurface:
        """This frame's layer: a cairo surface, premultiplied, in Manim's R, G, B, A
        byte order.

        A frame whose inputs (size, camera, lift, balls, iteration, opacities) are those
        of the last one drawn is that image again, not drawn a second time: a lesson
        holds still on a 3-D view for whole seconds (the flagship, 35 of its 258 3-D
        frames at 15 fps)."""
        camera, lift, iteration = self.camera(), self.lift.get_value(), self.timeline.iteration
        contours, trails = self.contour_opacity.get_value(), self.trail_opacity.get_value()
        inputs = (config.pixel_width, config.pixel_height, _camera_key(camera), float(lift),
                  tuple(map(id, self.balls3d)), float(iteration), float(contours),
                  float(trails))
        last = self._last_image
        if last is not None and last[0] == inputs:
            return last[1]
        # the trackers' own values, as before (the key holds them as plain floats)
        image = self.renderer3d.render_surface(
            config.pixel_width, config.pixel_height, camera, lift, self.balls3d, iteration,
            contour_opacity=contours, trail_opacity=trails, rgba_order=True)
        self._last_image = (inputs, image)
        return image

    def redraw(self) -> None:
        """Each frame's update: the layer is due again (drawn when the frame is drawn,
        :attr:`layer`; a frame played without drawing, as before the acts a render
        asks for, costs nothing)."""
        self.layer_alpha = float(np.clip(self.layer_opacity.get_value(), 0.0, 1.0))
        if self.layer_alpha > 0:
            self._due = True
        self._straight = None

    @property
    def layer(self) -> cairo.ImageSurface:
        """This frame's layer (:meth:`frame_image`), drawn once when first asked for."""
        if self._due:
            self._due = False
            self._layer = self.frame_image()
        return self._layer

    @layer.setter
    def layer(self, value: cairo.ImageSurface) -> None:
        self._layer, self._due = value, False

    # The layer is kept as cairo draws it: LayerCamera paints that surface straight into
    # the frame with cairo (``layer``, faded by ``layer_alpha``). Manim's own image path
    # (a layer that is moved or scaled) reads ``pixel_array``: straight RGBA, converted
    # when asked for.
    @property
    def pixel_array(self) -> np.ndarray:
        if self._straight is None:
            px = _premultiplied_to_straight(_surface_array(self.layer))
            if self.layer_alpha < 1:
                px[..., 3] = (px[..., 3] * self.layer_alpha).astype(np.uint8)
            self._straight = px
        return self._straight

    @pixel_array.setter
    def pixel_array(self, value: np.ndarray) -> None:
        rgba = np.ascontiguousarray(value, np.uint8)
        h, w = rgba.shape[:2]
        self.layer = cairo.ImageSurface(cairo.FORMAT_ARGB32, w, h)
        a = rgba[..., 3:4].astype(np.uint16)
        dst = _surface_array(self.layer)
        dst[..., :3] = ((rgba[..., :3] * a + 127) // 255).astype(np.uint8)
        dst[..., 3] = rgba[..., 3]
        self.layer.mark_dirty()
        self.layer_alpha = 1.0
        self._straight = rgba
