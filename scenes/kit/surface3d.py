"""A fast 3-D surface view: numpy projection + pycairo painter's algorithm.

Stock Manim 3-D surfaces cost about a millisecond of Python per face per
frame. This view projects the whole mesh with a few numpy operations and draws
it with cairo into one image layer (an ImageMobject filling the frame), so a
64-face-wide mesh costs milliseconds per frame.

Drawing order: the faces are sorted by depth and painted back to front; the
overlays (contour segments, trails and balls) are then painted over every face,
back to front among themselves. Overlays lying on a face turned away from the
camera are skipped, so the picture is exact as long as no overlay should be
hidden behind a nearer fold of the surface (a valley seen from above, as the
scenes fly).

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

from collections.abc import Callable
from dataclasses import dataclass, replace

import cairo
import numpy as np
from manim import ImageMobject, ManimColor, ValueTracker, config

from . import theme
from .contour import ContourMap
from .timeline import Timeline, at, reached


@dataclass
class Camera:
    """The view's camera: orthographic unless ``perspective`` > 0. Angles in degrees;
    ``azimuth=-90`` looks north (towards +y) from the south, ``elevation=90`` looks
    straight down."""

    azimuth: float = -90.0
    elevation: float = 90.0
    zoom: float = 1.0
    target: tuple[float, float, float] = (0.0, 0.0, 0.0)
    #: where the target lands on screen (scene units); None: the map's centre
    screen: tuple[float, float] | None = None
    #: 0: orthographic; p in (0, 1]: a pinhole camera ``distance / p`` units from the target
    perspective: float = 0.0
    distance: float = 9.0

    def basis(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        th, ph = np.radians(self.azimuth), np.radians(self.elevation)
        d = np.array([np.cos(ph) * np.cos(th), np.cos(ph) * np.sin(th), np.sin(ph)])
        right = np.array([-np.sin(th), np.cos(th), 0.0])
        up = np.cross(d, right)
        return d, right, up


@dataclass
class Ball3D:
    positions: np.ndarray  # (steps+1, 2) data coordinates
    color: str


#: faces along x of the 3-D view's mesh (y follows the map's aspect)
MESH = 64
#: ambient share of a face's brightness; the rest follows the light (``n · LIGHT``)
AMBIENT = 0.42
#: unit vector towards the light (from the south-west, high up)
LIGHT = np.array([-0.35, -0.45, 0.82]) / np.linalg.norm([-0.35, -0.45, 0.82])


def mesh_shape(width: float, height: float, mesh: int = MESH) -> tuple[int, int]:
    """Faces ``(nx, ny)`` of the 3-D mesh over a ``width`` x ``height`` map."""
    return mesh, max(8, int(round(mesh * height / width)))


class SurfaceRenderer:
    """Projects and rasterises a surface mesh with balls and trails."""

    def __init__(self, contour: ContourMap, *, mesh: int = MESH, height: float = 2.0,
                 clip_quantile: float = 0.98, ball_radius: float = 0.12,
                 contour_points: int = 48) -> None:
        self.map = contour
        self.surface = contour.surface
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
        X, Y = np.meshgrid(xs, ys)
        self.grid_xy = np.stack([X, Y], -1)
        self.grid_z = Z
        fz = (Z[:-1, :-1] + Z[1:, :-1] + Z[:-1, 1:] + Z[1:, 1:]) / 4
        self.face_rgb = theme.colormap(contour.scale_.fraction(fz)).reshape(-1, 3)
        self.ball_radius = ball_radius
        self.contours = self._contour_polylines(contour_points)

    # -- geometry ------------------------------------------------------------
    def world(self, xy: np.ndarray, z: np.ndarray, lift: float) -> np.ndarray:
        xy = np.asarray(xy, float)
        cx, cy = (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2
        zz = (np.minimum(np.asarray(z, float), self.zclip) - self.zmin) * self.hz * lift
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

    # -- rendering ------------------------------------------------------------
    def render(self, width: int, height: int, camera: Camera, lift: float,
               balls: list[Ball3D], iteration: float, contour_opacity: float = 1.0,
               trail_opacity: float = 1.0) -> np.ndarray:
        """RGBA image ``(height, width, 4)`` of the scene at ``iteration``."""
        d, right, up = camera.basis()
        px_per_unit = width / config.frame_width * camera.zoom
        sc = self.centre_scene[:2] if camera.screen is None else camera.screen
        centre_px = np.array([
            (sc[0] + config.frame_width / 2) / config.frame_width * width,
            (config.frame_height / 2 - sc[1]) / config.frame_height * height,
        ])
        target = np.asarray(camera.target, float)

        persp = float(np.clip(camera.perspective, 0.0, 1.0))
        dist = camera.distance / max(persp, 1e-9)  # effective camera distance
        eye = target + d * dist

        def magnification(toward: np.ndarray) -> np.ndarray | float:
            """Perspective scale of points ``toward`` units nearer the eye than the target."""
            return dist / np.maximum(dist - toward, 1e-3 * dist) if persp > 0 else 1.0

        def project(P: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            """Pixels and depth (distance from the eye; larger is farther)."""
            Q = P - target
            toward = Q @ d
            k = magnification(toward)
            sx = centre_px[0] + (Q @ right) * px_per_unit * k
            sy = centre_px[1] - (Q @ up) * px_per_unit * k
            depth = np.linalg.norm(P - eye, axis=-1) if persp > 0 else -toward
            return np.stack([sx, sy], -1), depth

        def scale_at(P: np.ndarray) -> float:
            return float(magnification((P - target) @ d))

        V = self.world(self.grid_xy, self.grid_z, lift)
        S, depth = project(V)
        quads = np.stack([S[:-1, :-1], S[:-1, 1:], S[1:, 1:], S[1:, :-1]], 2).reshape(-1, 4, 2)
        fdepth = ((depth[:-1, :-1] + depth[1:, 1:] + depth[:-1, 1:] + depth[1:, :-1]) / 4).ravel()
        n = np.cross(V[1:, 1:] - V[:-1, :-1], V[:-1, 1:] - V[1:, :-1]).reshape(-1, 3)
        n /= np.linalg.norm(n, axis=1, keepdims=True) + 1e-12
        n[n[:, 2] < 0] *= -1
        shade = AMBIENT + (1 - AMBIENT) * np.clip(n @ LIGHT, 0, 1)
        facing = n @ d
        shade = np.where(facing < 0, shade * 0.55, shade)  # underside
        rgb = np.clip(self.face_rgb * shade[:, None], 0, 1)

        # grow each face by ~0.7 px about its centre: no hairline seams, no stroke needed
        centres = quads.mean(axis=1, keepdims=True)
        radius = np.linalg.norm(quads - centres, axis=2, keepdims=True) + 1e-9
        quads = centres + (quads - centres) * (1.0 + 0.7 / radius)

        # Faces are depth-sorted (painter's algorithm); overlays (contours, trails,
        # balls) are then drawn over them in their own depth order. That is exact
        # whenever no face is seen from behind (overlays on such faces are skipped):
        # a valley seen from above its steepest slope, as the scenes choose.
        depths: list[float] = fdepth.tolist()
        payload: list[tuple[int, object]] = [(0, i) for i in range(len(quads))]
        on_top = 1e9  # sorts overlays after every face
        if contour_opacity > 0:
            for pts, level, c in self.contours:
                visible = facing[self._face_index(pts)] >= 0  # not on a face turned away
                W = self.world(pts, np.full(len(pts), level), lift)
                s2, dep = project(W)
                mid = (dep[:-1] + dep[1:]) / 2
                for j in np.nonzero(visible[:-1] & visible[1:])[0]:
                    depths.append(mid[j] - on_top)
                    payload.append((1, (s2[j], s2[j + 1], c)))
        for ball in balls:
            for depth_, kind, what in self._ball_items(ball, iteration, lift, project, scale_at,
                                                      trail_opacity, facing):
                depths.append(depth_ - on_top)
                payload.append((kind, what))
        order = np.argsort(-np.asarray(depths), kind="stable")

        surf = cairo.ImageSurface(cairo.FORMAT_ARGB32, width, height)
        ctx = cairo.Context(surf)
        ctx.set_line_join(cairo.LINE_JOIN_ROUND)
        ctx.set_line_cap(cairo.LINE_CAP_ROUND)
        line_w = max(1.2, 2.2 * width / 1920 * camera.zoom ** 0.5)
        for idx in order.tolist():
            kind, what = payload[idx]
            if kind == 0:
                q = quads[what]
                ctx.set_source_rgb(*rgb[what])
                ctx.move_to(*q[0])
                ctx.line_to(*q[1])
                ctx.line_to(*q[2])
                ctx.line_to(*q[3])
                ctx.close_path()
                ctx.fill()
            elif kind == 1:
                a_, b_, c = what
                ctx.set_source_rgba(*(0.15 + 0.85 * c), 0.9 * contour_opacity)
                ctx.set_line_width(line_w)
                ctx.move_to(*a_)
                ctx.line_to(*b_)
                ctx.stroke()
            elif kind == 2:
                a_, b_, c, alpha, w = what
                ctx.set_source_rgba(*c, alpha)
                ctx.set_line_width(w)
                ctx.move_to(*a_)
                ctx.line_to(*b_)
                ctx.stroke()
            else:
                centre, radius, c = what
                grad = cairo.RadialGradient(centre[0] - radius * 0.35, centre[1] - radius * 0.35,
                                            radius * 0.1, centre[0], centre[1], radius)
                grad.add_color_stop_rgb(0, *(0.55 + 0.45 * c))
                grad.add_color_stop_rgb(1, *(0.55 * c))
                ctx.set_source(grad)
                ctx.arc(centre[0], centre[1], radius, 0, 2 * np.pi)
                ctx.fill_preserve()
                ctx.set_source_rgba(0.9, 0.91, 0.92, 0.9)
                ctx.set_line_width(max(1.0, radius * 0.12))
                ctx.stroke()
        buf = np.ndarray((height, width, 4), np.uint8, surf.get_data())
        return _bgra_premultiplied_to_rgba(buf)

    def _face_index(self, xy: np.ndarray) -> np.ndarray:
        """Index of the mesh face under each data point."""
        nyf, nxf = self.grid_z.shape[0] - 1, self.grid_z.shape[1] - 1
        i = np.clip(((xy[:, 0] - self.x0) / (self.x1 - self.x0) * nxf).astype(int), 0, nxf - 1)
        j = np.clip(((xy[:, 1] - self.y0) / (self.y1 - self.y0) * nyf).astype(int), 0, nyf - 1)
        return j * nxf + i

    def _ball_items(self, ball: Ball3D, iteration: float, lift: float, project, scale_at,
                    trail_opacity: float, facing: np.ndarray) -> list:
        rgb = np.array(ManimColor(ball.color).to_rgb())
        pos = np.asarray(ball.positions, float)
        k_last = min(reached(iteration), len(pos) - 1)
        ok = np.all(np.isfinite(pos), axis=-1)
        # iterates reached so far, plus the interpolated head between two iterates
        pts = [pos[k] for k in range(0, k_last + 1) if ok[k]]
        head = at(pos, iteration)
        if iteration > k_last and np.all(np.isfinite(head)):
            pts.append(head)
        pts = np.array(pts).reshape(-1, 2)
        items: list = []
        if len(pts) == 0:
            return items
        # inside the map, and not on a face turned away from the camera
        inside = self.map.inside(pts) & (facing[self._face_index(pts)] >= 0)
        zs = self.surface.value(pts)
        up_off = self.ball_radius * 0.25
        W = self.world(pts, zs, lift) + [0, 0, up_off]
        S, dep = project(W)
        px = S
        width_px = max(1.5, 3.0 * config.pixel_width / 1920)
        for j in range(len(px) - 1):
            if inside[j] and inside[j + 1]:
                items.append(((dep[j] + dep[j + 1]) / 2 - 0.03, 2,
                              (px[j], px[j + 1], rgb, 0.9 * trail_opacity, width_px)))
        if inside[-1]:
            centre_w = self.world(pts[-1:], zs[-1:], lift)[0] + [0, 0, self.ball_radius]
            c_px, c_dep = project(centre_w[None, :])
            r_px = self.ball_radius * config.pixel_width / config.frame_width * scale_at(centre_w)
            items.append((c_dep[0] - self.ball_radius, 3, (c_px[0], r_px, rgb)))
        return items


def _bgra_premultiplied_to_rgba(buf: np.ndarray) -> np.ndarray:
    """cairo's native-endian premultiplied ARGB32 -> straight RGBA.

    Only partly transparent pixels (antialiased edges) need un-premultiplying.
    """
    out = buf[..., [2, 1, 0, 3]]
    a = out[..., 3]
    edge = (a > 0) & (a < 255)
    if edge.any():
        px = out[edge].astype(np.uint16)
        px[:, :3] = np.minimum(px[:, :3] * 255 // np.maximum(px[:, 3:4], 1), 255)
        out[edge] = px.astype(np.uint8)
    return out


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
        self.redraw()

    def camera(self) -> Camera:
        if self.camera_fn is not None:
            return self.camera_fn()
        return Camera(azimuth=self.azimuth.get_value(), elevation=self.elevation.get_value(),
                      zoom=self.zoom.get_value(), perspective=self.perspective.get_value(),
                      target=(self.target_x.get_value(), self.target_y.get_value(), 0.0),
                      screen=(self.screen_x.get_value(), self.screen_y.get_value()))

    def frame_image(self) -> np.ndarray:
        return self.renderer3d.render(
            config.pixel_width, config.pixel_height, self.camera(), self.lift.get_value(),
            self.balls3d, self.timeline.iteration,
            contour_opacity=self.contour_opacity.get_value(),
            trail_opacity=self.trail_opacity.get_value())

    def redraw(self) -> None:
        alpha = self.layer_opacity.get_value()
        if alpha <= 0:
            self.pixel_array = np.zeros_like(self.pixel_array)
            return
        img = self.frame_image()
        if alpha < 1:
            img[..., 3] = (img[..., 3] * alpha).astype(np.uint8)
        self.pixel_array = img


def _lerp(a: float, b: float, f: float) -> float:
    return a + (b - a) * f


class CameraPath:
    """A camera flight fitted to a panel: poses interpolated between keys, with zoom
    and screen position chosen so the whole surface stays inside ``region``.

    Parameters
    ----------
    renderer : the surface to fly over.
    keys : ``(azimuth, elevation, zoom)`` poses spread evenly over ``u`` in [0, 1];
        ``zoom`` is relative to the largest zoom that fits (1 = as large as fits).
    region : (left, right, bottom, top) in scene units.
    targets : ``(m, 3)`` world points the camera looks at, spread evenly over ``u``
        (e.g. following the balls); None looks at the centre.
    perspective : 0 orthographic ... 1 full perspective.
    """

    def __init__(self, renderer: SurfaceRenderer, keys: list[tuple[float, float, float]],
                 region: tuple[float, float, float, float], targets: np.ndarray | None = None,
                 perspective: float = 1.0, samples: int = 41, margin: float = 0.03) -> None:
        self.renderer, self.keys = renderer, [tuple(map(float, k)) for k in keys]
        self.region, self.perspective = region, perspective
        self.targets = np.zeros((1, 3)) if targets is None else np.asarray(targets, float)
        self.us = np.linspace(0.0, 1.0, samples)
        left, right, bottom, top = region
        zooms, screens = [], []
        for u in self.us:
            az, el, rel = self._pose(u)
            cam = Camera(az, el, 1.0, tuple(self._target(u)), (0.0, 0.0), perspective)
            x0, x1, y0, y1 = renderer.extent(cam, 1.0)
            z = rel * (1 - margin) * min((right - left) / (x1 - x0), (top - bottom) / (y1 - y0))
            zooms.append(z)
            screens.append(((left + right) / 2 - z * (x0 + x1) / 2,
                            (bottom + top) / 2 - z * (y0 + y1) / 2))
        self.zooms, self.screens = np.array(zooms), np.array(screens)

    def _pose(self, u: float) -> tuple[float, float, float]:
        if len(self.keys) == 1:
            return self.keys[0]
        x = u * (len(self.keys) - 1)
        i = min(int(x), len(self.keys) - 2)
        f = x - i
        a, b = self.keys[i], self.keys[i + 1]
        return (_lerp(a[0], b[0], f), _lerp(a[1], b[1], f), _lerp(a[2], b[2], f))

    def _target(self, u: float) -> np.ndarray:
        t = np.linspace(0.0, 1.0, len(self.targets))
        return np.array([np.interp(u, t, self.targets[:, j]) for j in range(3)])

    def at(self, u: float) -> Camera:
        """The camera at ``u`` in [0, 1] along the flight."""
        u = float(np.clip(u, 0.0, 1.0))
        az, el, _ = self._pose(u)
        zoom = float(np.interp(u, self.us, self.zooms))
        screen = (float(np.interp(u, self.us, self.screens[:, 0])),
                  float(np.interp(u, self.us, self.screens[:, 1])))
        return Camera(az, el, zoom, tuple(self._target(u)), screen, self.perspective)

    def rise(self, r: float, start: Camera) -> Camera:
        """Blend from ``start`` (e.g. the flat, top-down view) to the flight's first pose."""
        end = self.at(0.0)
        r = float(np.clip(r, 0.0, 1.0))
        sc0 = start.screen if start.screen is not None else tuple(
            self.renderer.centre_scene[:2])
        return replace(
            end, azimuth=_lerp(start.azimuth, end.azimuth, r),
            elevation=_lerp(start.elevation, end.elevation, r),
            zoom=_lerp(start.zoom, end.zoom, r),
            target=tuple(_lerp(a, b, r) for a, b in zip(start.target, end.target, strict=True)),
            screen=(_lerp(sc0[0], end.screen[0], r), _lerp(sc0[1], end.screen[1], r)),
            perspective=_lerp(start.perspective, end.perspective, r))
