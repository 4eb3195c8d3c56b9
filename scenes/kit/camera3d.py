"""The 3-D view's camera: its pose (:class:`Camera`), the projection it makes for one
frame (:class:`View`) and flights between poses fitted to a panel (:class:`CameraPath`).

Angles are in degrees; ``azimuth=-90`` looks north (towards +y) from the south,
``elevation=90`` looks straight down. Orthographic unless ``perspective`` > 0,
then a pinhole camera ``distance / perspective`` units from its target.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from manim import config


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


class View:
    """One frame's camera, set up for projecting world points to pixels."""

    def __init__(self, r: Any, width: int, height: int, camera: Camera,
                 lift: float) -> None:
        self.d, self.right, self.up = camera.basis()
        self.lift = lift
        self.px_per_unit = width / config.frame_width * camera.zoom
        sc = r.centre_scene[:2] if camera.screen is None else camera.screen
        self.centre_px = np.array([
            (sc[0] + config.frame_width / 2) / config.frame_width * width,
            (config.frame_height / 2 - sc[1]) / config.frame_height * height,
        ])
        self.target = np.asarray(camera.target, float)
        self.persp = float(np.clip(camera.perspective, 0.0, 1.0))
        self.dist = camera.distance / max(self.persp, 1e-9)  # effective camera distance
        self.eye = self.target + self.d * self.dist

    def magnification(self, toward: np.ndarray | float) -> np.ndarray | float:
        """Perspective scale of points ``toward`` units nearer the eye than the target."""
        if self.persp <= 0:
            return 1.0
        return self.dist / np.maximum(self.dist - toward, 1e-3 * self.dist)

    def project(self, P: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixels and depth (distance from the eye; larger is farther)."""
        Q = P - self.target
        toward = Q @ self.d
        k = self.magnification(toward)
        sx = self.centre_px[0] + (Q @ self.right) * self.px_per_unit * k
        sy = self.centre_px[1] - (Q @ self.up) * self.px_per_unit * k
        depth = np.linalg.norm(P - self.eye, axis=-1) if self.persp > 0 else -toward
        return np.stack([sx, sy], -1), depth

    def facing(self, normals: np.ndarray, points: np.ndarray) -> np.ndarray:
        """For faces with upward ``normals`` at ``points`` (``(n, 3)`` each): positive
        where the camera sees the face's upper side, negative where it sees its
        underside. Orthographic, every ray runs along the view direction; with
        perspective each face is seen along its own ray from the eye (by the view
        direction alone, strips along a perspective view's near edge and silhouettes
        had been painted as undersides)."""
        if self.persp > 0:
            return np.einsum("ij,ij->i", normals, self.eye - points)
        return normals @ self.d

    def horizontal_depth(self, P: np.ndarray) -> np.ndarray:
        """The painter's key of a height field: horizontal distance from the eye
        (perspective) or along the horizontal view direction (orthographic)."""
        if self.persp > 0:
            return np.hypot(P[:, 0] - self.eye[0], P[:, 1] - self.eye[1])
        return -(P[:, :2] @ self.d[:2])


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

    def __init__(self, renderer: Any, keys: list[tuple[float, float, float]],
                 region: tuple[float, float, float, float], targets: np.ndarray | None = None,
                 perspective: float = 1.0, samples: int = 41, margin: float = 0.03) -> None:
        self.renderer, self.keys = renderer, [tuple(map(float, k)) for k in keys]
        self.region, self.perspective, self.margin = region, perspective, margin
        self.targets = np.zeros((1, 3)) if targets is None else np.asarray(targets, float)
        self.us = np.linspace(0.0, 1.0, samples)
        fits = [self._fit(u, region) for u in self.us]
        self.zooms = np.array([z for z, _ in fits])
        self.screens = np.array([sc for _, sc in fits])

    def _fit(self, u: float, region: tuple[float, float, float, float]
             ) -> tuple[float, tuple[float, float]]:
        """The zoom and screen position that fit the surface at ``u`` into ``region``."""
        az, el, rel = self._pose(u)
        return self._fit_pose(az, el, rel, self._target(u), region)

    def _fit_pose(self, az: float, el: float, rel: float, target: np.ndarray,
                  region: tuple[float, float, float, float]
                  ) -> tuple[float, tuple[float, float]]:
        """The zoom and screen position that fit the surface seen from ``(az, el)``
        towards ``target`` into ``region`` (``rel`` of the largest zoom that fits)."""
        left, right, bottom, top = region
        cam = Camera(az, el, 1.0, tuple(target), (0.0, 0.0), self.perspective)
        x0, x1, y0, y1 = self.renderer.extent(cam, 1.0)
        z = rel * (1 - self.margin) * min((right - left) / (x1 - x0), (top - bottom) / (y1 - y0))
        return z, ((left + right) / 2 - z * (x0 + x1) / 2, (bottom + top) / 2 - z * (y0 + y1) / 2)

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

    def settle(self, f: float, region: tuple[float, float, float, float],
               elevation: float | None = None) -> Camera:
        """The flight's last pose, ``f`` of the way (0 to 1) to being fitted into
        ``region`` instead (the view making room for a closing card): only its zoom and
        screen position change, so the surface shrinks and slides without turning.

        With ``elevation`` (:meth:`revealing_elevation`) the camera also rises to it,
        and each pose is fitted into the box ``f`` of the way from the flight's panel to
        ``region``, so the surface stays inside while it tilts."""
        end = self.at(1.0)
        f = float(np.clip(f, 0.0, 1.0))
        az, el0, rel = self._pose(1.0)
        if elevation is not None and elevation != el0:
            el = _lerp(el0, elevation, f)
            box = tuple(_lerp(a, b, f) for a, b in zip(self.region, region, strict=True))
            zoom, screen = self._fit_pose(az, el, rel, self._target(1.0), box)
            return replace(end, elevation=el, zoom=zoom, screen=screen)
        zoom, screen = self._fit(1.0, region)
        return replace(end, zoom=_lerp(end.zoom, zoom, f),
                       screen=(_lerp(end.screen[0], screen[0], f),
                               _lerp(end.screen[1], screen[1], f)))

    def revealing_elevation(self, ends: np.ndarray, region: tuple[float, float, float, float],
                            step: float = 2.0) -> float:
        """The lowest elevation, from the flight's last upwards in ``step`` degrees, at
        which the surface (fitted into ``region``, turned as at the flight's end) hides
        the centre of none of the balls resting at data points ``ends``: the closing picture shows
        where every run ended, which a low flight's last pose can hide behind a rim.
        Where no elevation shows them all, the lowest that hides fewest."""
        az, el0, rel = self._pose(1.0)
        r, target = self.renderer, self._target(1.0)
        ends = np.asarray(ends, float).reshape(-1, 2)
        if len(ends) == 0:
            return el0
        balls = r.ball_centres(ends, 1.0)
        fewest = (len(ends) + 1, el0)
        for el in [*np.arange(el0, 90.0, step).tolist(), 90.0]:
            zoom, screen = self._fit_pose(az, el, rel, target, region)
            cam = Camera(az, el, zoom, tuple(target), screen, self.perspective)
            hidden = int(r.occluded(balls, View(r, config.pixel_width, config.pixel_height,
                                                cam, 1.0)).sum())
            if hidden == 0:
                return float(el)
            fewest = min(fewest, (hidden, float(el)))
        return fewest[1]

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
