"""Synthetic trichoscopy phantoms with known truth, for testing and validating hair measurement.

A phantom is a patch of scalp (a set of follicular units, each with 1-4 clipped hair shafts) seen
through a camera: the same scalp can be photographed several times with another rotation, shift,
light, glare, noise and compression, which is how repeatability is measured. Everything a real
image has that the measurement must cope with is drawn here on purpose:

- follicular units of 1-4 hairs leaving one opening at diverging angles; hairs crossing and lying
  close along each other (hair directions share a dominant flow, as on a scalp);
- slightly curved shafts (quadratic Bézier centre lines), clipped ends, shafts leaving the frame;
- a continuous range of diameters: vellus (under 30 µm), miniaturising intermediates, terminals;
- pigment from black to light brown and grey, paler vellus hairs; the shaft's darkness follows
  Beer-Lambert absorption through a cylinder (so thin and pale hairs are not boxes), with an
  optional specular stripe along dark shafts;
- skin tone, skin texture at two scales, skin furrows (long, faint, wide lines that are not
  hairs), empty follicular openings (pores) and openings under hairs;
- vignetting and a light gradient, glare spots that saturate the sensor and wash out what lies
  under them, optical blur, sensor noise, 8-bit gamma encoding and JPEG compression.

Truth: every hair's base (its exit point from the skin), tip, diameter and length; a hair is
"in the frame" when its base lies inside the image, the counting rule the measurement follows.

The generator knows nothing of the measurement and the measurement nothing of the generator:
the measurement must not import this module. Geometry parameters live in :class:`ScalpConfig`
and imaging parameters in :class:`CameraConfig`, so that validation can hold out a configuration
that differs in both from the one used while developing.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field, replace

import numpy as np
from PIL import Image
from scipy import ndimage

# --- configuration -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScalpConfig:
    """The scalp patch: what hairs there are and how they lie."""

    density_per_cm2: float = 160.0
    vellus_share: float = 0.2
    # Share of follicular units holding 1, 2, 3, 4 hairs (about 1.6-1.8 hairs per unit).
    unit_sizes: tuple[float, float, float, float] = (0.5, 0.35, 0.12, 0.03)
    # Angle between the hairs of one unit and the unit's mean direction, degrees (uniform range).
    unit_spread_deg: tuple[float, float] = (8.0, 30.0)
    # Hair directions: a dominant flow with this von Mises concentration (0 = any direction).
    flow_concentration: float = 1.0
    # Visible (projected) length of the clipped shaft, µm (uniform range).
    length_um: tuple[float, float] = (500.0, 1400.0)
    # Largest curvature, 1/µm (a shaft bends by at most length × curvature radians).
    max_curvature_per_um: float = 1 / 2500
    # Non-vellus diameters: normal (mean, sd) truncated to [30, 110] µm; vellus: uniform range.
    terminal_diameter_um: tuple[float, float] = (62.0, 14.0)
    vellus_diameter_um: tuple[float, float] = (12.0, 29.5)
    # Share of non-vellus hairs drawn as miniaturising intermediates, uniform 30-45 µm.
    intermediate_share: float = 0.15
    # Pigment: shares of black/dark-brown, light-brown and grey terminal hairs.
    pigment_shares: tuple[float, float, float] = (0.75, 0.17, 0.08)
    # Minimum distance between two follicular openings, µm.
    min_unit_spacing_um: float = 180.0
    # Empty openings (no hair visible) per cm².
    empty_pores_per_cm2: float = 60.0
    # Skin furrows per cm² (long faint lines) and skin colour (linear RGB reflectance).
    furrows_per_cm2: float = 4.0
    skin_rgb: tuple[float, float, float] = (0.62, 0.42, 0.33)


@dataclass(frozen=True)
class CameraConfig:
    """How one photograph of the patch is taken."""

    width_px: int = 1600
    height_px: int = 1200
    micrometres_per_pixel: float = 5.0
    rotation_deg: float = 0.0
    shift_um: tuple[float, float] = (0.0, 0.0)
    blur_sigma_um: float = 5.0
    noise_sd: float = 0.012  # in linear reflectance, added after light
    vignetting: float = 0.3  # light lost at the corners
    light_gradient: float = 0.1  # linear fall-off across the frame
    light_angle_deg: float = 0.0
    exposure: float = 1.25  # skin at the centre sits near 0.75 of full scale
    glare_spots: int = 1
    glare_radius_um: tuple[float, float] = (150.0, 400.0)
    specular_share: float = 0.3  # share of dark terminal shafts with a specular stripe
    gamma: str = "srgb"  # "srgb" or a number such as "2.0" (a plain power law)
    jpeg_quality: int | None = 90
    texture: float = 0.05  # skin texture amplitude (relative)


# --- truth ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrueHair:
    base_um: tuple[float, float]  # scalp coordinates, µm
    tip_um: tuple[float, float]
    bend_um: float  # sideways offset of the Bézier control point
    diameter_um: float
    absorption_per_um: float
    hair_rgb: tuple[float, float, float]  # reflectance of a fully opaque shaft
    specular_u: float  # the shaft shows a specular stripe when below the camera's specular_share
    unit: int

    @property
    def length_um(self) -> float:
        return float(math.dist(self.base_um, self.tip_um))

    @property
    def vellus(self) -> bool:
        return self.diameter_um < 30.0


@dataclass(frozen=True)
class Scalp:
    hairs: tuple[TrueHair, ...]
    pores_um: tuple[tuple[float, float, float], ...]  # x, y, radius
    furrows_um: tuple[tuple[float, float, float, float, float], ...]  # x0, y0, x1, y1, width
    radius_um: float
    config: ScalpConfig
    texture_seed: int


@dataclass(frozen=True)
class Photo:
    image: np.ndarray  # H × W × 3 uint8
    micrometres_per_pixel: float
    bases_px: np.ndarray  # n × 2 (x, y) of every hair of the scalp in this frame's pixels
    tips_px: np.ndarray
    midpoints_px: np.ndarray  # the middle of each curved shaft
    diameters_um: np.ndarray
    in_frame: np.ndarray  # bool: the base lies inside the image
    glare_mask: np.ndarray  # bool H × W: where the sensor saturated

    @property
    def true_count(self) -> int:
        return int(self.in_frame.sum())

    @property
    def frame_area_cm2(self) -> float:
        h, w = self.image.shape[:2]
        return h * w * (self.micrometres_per_pixel * 1e-4) ** 2

    @property
    def true_density_per_cm2(self) -> float:
        return self.true_count / self.frame_area_cm2

    @property
    def true_median_diameter_um(self) -> float:
        return float(np.median(self.diameters_um[self.in_frame]))

    @property
    def true_vellus_share(self) -> float:
        d = self.diameters_um[self.in_frame]
        return float((d < 30.0).mean()) if d.size else 0.0


# --- the scalp -----------------------------------------------------------------------------------

_PIGMENTS = (
    # (opaque shaft reflectance RGB, absorption per µm range)
    ((0.05, 0.04, 0.035), (0.06, 0.12)),  # black / dark brown
    ((0.30, 0.20, 0.13), (0.03, 0.06)),  # light brown
    ((0.30, 0.30, 0.30), (0.02, 0.04)),  # grey: neutral, less absorbing
)
_VELLUS_PIGMENT = ((0.28, 0.20, 0.15), (0.02, 0.05))


def make_scalp(config: ScalpConfig, radius_um: float, rng: np.random.Generator) -> Scalp:
    """Follicular units scattered over a disc of ``radius_um`` (hard-core Poisson), with hairs."""
    sizes = np.arange(1, 5)
    weights = np.asarray(config.unit_sizes) / sum(config.unit_sizes)
    mean_size = float((sizes * weights).sum())
    area_cm2 = math.pi * (radius_um * 1e-4) ** 2
    n_units = rng.poisson(config.density_per_cm2 / mean_size * area_cm2)
    # Hard-core placement by rejection; the density target is kept (few rejections at these densities).
    placed: list[tuple[float, float]] = []
    grid: dict[tuple[int, int], list[int]] = {}
    cell = config.min_unit_spacing_um
    attempts = 0
    while len(placed) < n_units and attempts < n_units * 50:
        attempts += 1
        r = radius_um * math.sqrt(rng.random())
        a = 2 * math.pi * rng.random()
        x, y = r * math.cos(a), r * math.sin(a)
        gx, gy = int(x // cell), int(y // cell)
        near = False
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for j in grid.get((gx + dx, gy + dy), ()):
                    if math.dist(placed[j], (x, y)) < cell:
                        near = True
        if near:
            continue
        grid.setdefault((gx, gy), []).append(len(placed))
        placed.append((x, y))
    flow = rng.uniform(0, 2 * math.pi)
    hairs: list[TrueHair] = []
    pores: list[tuple[float, float, float]] = []
    n_terminal_pigments = np.asarray(config.pigment_shares) / sum(config.pigment_shares)
    for u, (x, y) in enumerate(placed):
        k = int(rng.choice(sizes, p=weights))
        unit_dir = rng.vonmises(flow, config.flow_concentration) if config.flow_concentration > 0 else rng.uniform(0, 2 * math.pi)
        diameters = []
        for _ in range(k):
            diameters.append(_draw_diameter(config, rng))
        offsets = [0.0] if k == 1 else list(rng.uniform(*config.unit_spread_deg, size=k) * rng.choice([-1, 1], size=k))
        if k > 1:
            offsets[0] = 0.0 if k % 2 else offsets[0]
        for i in range(k):
            d = diameters[i]
            direction = unit_dir + math.radians(offsets[i])
            length = rng.uniform(*config.length_um)
            tip = (x + length * math.cos(direction), y + length * math.sin(direction))
            bend = rng.uniform(-1, 1) * config.max_curvature_per_um * length * length / 8
            if d < 30.0:
                rgb, (a_lo, a_hi) = _VELLUS_PIGMENT
            else:
                rgb, (a_lo, a_hi) = _PIGMENTS[int(rng.choice(3, p=n_terminal_pigments))]
            hairs.append(TrueHair(
                base_um=(x, y), tip_um=tip, bend_um=bend, diameter_um=d,
                absorption_per_um=float(rng.uniform(a_lo, a_hi)), hair_rgb=rgb,
                specular_u=float(rng.random()) if d >= 40 and rgb[0] < 0.1 else 1.0, unit=u,
            ))
        # The opening around the hairs: a little wider than the thickest of them.
        pores.append((x, y, max(diameters) / 2 + rng.uniform(10, 25)))
    n_empty = rng.poisson(config.empty_pores_per_cm2 * area_cm2)
    for _ in range(n_empty):
        r = radius_um * math.sqrt(rng.random())
        a = 2 * math.pi * rng.random()
        pores.append((r * math.cos(a), r * math.sin(a), rng.uniform(12, 30)))
    furrows = []
    for _ in range(rng.poisson(config.furrows_per_cm2 * area_cm2)):
        r = radius_um * math.sqrt(rng.random())
        a = 2 * math.pi * rng.random()
        x, y = r * math.cos(a), r * math.sin(a)
        b = rng.uniform(0, math.pi)
        half = rng.uniform(1000, 3000)
        furrows.append((x - half * math.cos(b), y - half * math.sin(b), x + half * math.cos(b), y + half * math.sin(b),
                        rng.uniform(25, 60)))
    return Scalp(tuple(hairs), tuple(pores), tuple(furrows), radius_um, config, int(rng.integers(2**31)))


def _draw_diameter(config: ScalpConfig, rng: np.random.Generator) -> float:
    if rng.random() < config.vellus_share:
        return float(rng.uniform(*config.vellus_diameter_um))
    if rng.random() < config.intermediate_share:
        return float(rng.uniform(30.0, 45.0))
    mean, sd = config.terminal_diameter_um
    while True:
        d = rng.normal(mean, sd)
        if 30.0 <= d <= 110.0:
            return float(d)


# --- the photograph ------------------------------------------------------------------------------


def _bezier(p0: np.ndarray, p1: np.ndarray, bend: float, n: int) -> np.ndarray:
    mid = (p0 + p1) / 2
    along = p1 - p0
    length = float(np.hypot(*along)) or 1.0
    normal = np.array([-along[1], along[0]]) / length
    ctrl = mid + 2 * bend * normal  # the curve's mid-point is offset by ``bend``
    t = np.linspace(0, 1, n)[:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * ctrl + t**2 * p1


def _distance_to_polyline(points: np.ndarray, x0: int, y0: int, w: int, h: int, pad: float) -> np.ndarray:
    """Distance (px) from each pixel centre of the window to the polyline."""
    out = np.full((h, w), np.inf)
    for a, b in zip(points[:-1], points[1:], strict=True):
        lo = np.floor(np.minimum(a, b) - pad).astype(int)
        hi = np.ceil(np.maximum(a, b) + pad).astype(int)
        xs0, ys0 = max(lo[0], x0), max(lo[1], y0)
        xs1, ys1 = min(hi[0], x0 + w), min(hi[1], y0 + h)
        if xs1 <= xs0 or ys1 <= ys0:
            continue
        yy, xx = np.mgrid[ys0:ys1, xs0:xs1].astype(float)
        ab = b - a
        denom = float(ab @ ab) or 1e-12
        t = np.clip(((xx - a[0]) * ab[0] + (yy - a[1]) * ab[1]) / denom, 0, 1)
        d = np.hypot(xx - (a[0] + t * ab[0]), yy - (a[1] + t * ab[1]))
        view = out[ys0 - y0:ys1 - y0, xs0 - x0:xs1 - x0]
        np.minimum(view, d, out=view)
    return out


def photograph(scalp: Scalp, camera: CameraConfig, rng: np.random.Generator) -> Photo:
    """One photograph: rotate/shift the frame over the scalp, draw, light, blur, glare, noise,
    encode."""
    w, h, mpp = camera.width_px, camera.height_px, camera.micrometres_per_pixel
    theta = math.radians(camera.rotation_deg)
    cos_t, sin_t = math.cos(theta), math.sin(theta)
    shift = np.asarray(camera.shift_um)

    def to_px(p: tuple[float, float] | np.ndarray) -> np.ndarray:
        q = np.asarray(p, dtype=float) - shift
        x = (cos_t * q[..., 0] + sin_t * q[..., 1]) / mpp + w / 2
        y = (-sin_t * q[..., 0] + cos_t * q[..., 1]) / mpp + h / 2
        return np.stack([x, y], axis=-1)

    skin = np.asarray(scalp.config.skin_rgb, dtype=float)
    # Skin texture at two scales, fixed to the scalp (drawn in scalp coordinates would need a
    # resampling; a texture seeded by the scalp and the frame is close enough for the measurement,
    # which must ignore it either way).
    trng = np.random.default_rng([scalp.texture_seed, int(camera.rotation_deg * 1000) & 0xFFFF])
    # Coarse texture drawn at an eighth of the resolution and enlarged (the same field, faster).
    small = ndimage.gaussian_filter(trng.standard_normal((h // 8 + 2, w // 8 + 2)), 120 / mpp / 8)
    coarse = ndimage.zoom(small, 8, order=1)[:h, :w]
    fine = ndimage.gaussian_filter(trng.standard_normal((h, w)), 12 / mpp, truncate=3.0)
    coarse /= coarse.std() or 1
    fine /= fine.std() or 1
    relief = 1 + camera.texture * (0.6 * coarse + 0.4 * fine)
    transmission = np.ones((h, w, 3))
    yy, xx = np.mgrid[0:h, 0:w].astype(float)

    # Furrows: wide, faint, soft lines.
    for x0, y0, x1, y1, width in scalp.furrows_um:
        pts = to_px(np.array([[x0, y0], [x1, y1]]))
        _stamp(transmission, pts, width / 2 / mpp, w, h, lambda dist, r: 0.05 * np.exp(-(dist / r) ** 2), np.array([0.8, 1.0, 1.0]))
    # Follicular openings: darker, browner discs.
    for x, y, r in scalp.pores_um:
        c = to_px((x, y))
        rp = r / mpp
        if not (-rp - 5 < c[0] < w + rp + 5 and -rp - 5 < c[1] < h + rp + 5):
            continue
        x0, x1 = max(int(c[0] - rp - 4), 0), min(int(c[0] + rp + 5), w)
        y0, y1 = max(int(c[1] - rp - 4), 0), min(int(c[1] + rp + 5), h)
        dist = np.hypot(xx[y0:y1, x0:x1] - c[0], yy[y0:y1, x0:x1] - c[1])
        a = 0.22 / (1 + np.exp((dist - rp) / 0.7))
        transmission[y0:y1, x0:x1] *= 1 - a[..., None] * np.array([0.7, 0.9, 1.0])
    # Hair shafts: Beer-Lambert absorption through a cylinder of the hair's radius.
    bases, tips, mids = [], [], []
    for hair in scalp.hairs:
        b, t = to_px(hair.base_um), to_px(hair.tip_um)
        bases.append(b)
        tips.append(t)
        r = hair.diameter_um / 2 / mpp
        n = max(3, int(hair.length_um / mpp / 6)) | 1  # odd: the middle point is a sample
        pts = _bezier(np.asarray(hair.base_um), np.asarray(hair.tip_um), hair.bend_um, n)
        pts = to_px(pts)
        mids.append(pts[len(pts) // 2])
        lo, hi = pts.min(axis=0) - r - 3, pts.max(axis=0) + r + 3
        if hi[0] < 0 or hi[1] < 0 or lo[0] > w or lo[1] > h:
            continue
        opaque = 1 - np.asarray(hair.hair_rgb) / skin
        mu = hair.absorption_per_um * mpp

        def profile(dist: np.ndarray, r: float = r, mu: float = mu, specular: bool = hair.specular_u < camera.specular_share) -> np.ndarray:
            chord = 2 * np.sqrt(np.clip(r * r - dist * dist, 0, None))
            a = 1 - np.exp(-mu * chord)
            if specular:  # a narrow bright stripe along the shaft's crest
                a = a * (1 - 0.35 * np.exp(-((dist / (0.25 * r + 0.3)) ** 2)))
            return a

        _stamp(transmission, pts, r, w, h, profile, np.clip(opaque, 0, 1))

    lin = skin * relief[..., None] * transmission
    # Light: vignetting and a gradient.
    cx, cy = (w - 1) / 2, (h - 1) / 2
    rr = np.hypot(xx - cx, yy - cy) / math.hypot(cx, cy)
    ang = math.radians(camera.light_angle_deg)
    grad = ((xx - cx) * math.cos(ang) + (yy - cy) * math.sin(ang)) / max(w, h)
    light = camera.exposure * (1 - camera.vignetting * rr**2) * (1 - camera.light_gradient * grad)
    lin = lin * light[..., None]
    sigma_px = camera.blur_sigma_um / mpp
    if sigma_px > 0:
        lin = ndimage.gaussian_filter(lin, (sigma_px, sigma_px, 0))
    # Glare: bright spots added to the light, saturating.
    for _ in range(camera.glare_spots):
        gx, gy = rng.uniform(0.1 * w, 0.9 * w), rng.uniform(0.1 * h, 0.9 * h)
        gr = rng.uniform(*camera.glare_radius_um) / mpp
        spot = 1.6 * np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * (gr / 1.5) ** 2))
        lin = lin + spot[..., None]
    lin = lin + rng.normal(0, camera.noise_sd, lin.shape) * np.sqrt(np.clip(lin, 0.05, 1))
    lin = np.clip(lin, 0, 1)
    glare = (lin >= 0.999).all(axis=2)
    if camera.gamma == "srgb":
        enc = np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * np.power(lin, 1 / 2.4) - 0.055)
    else:
        enc = np.power(lin, 1 / float(camera.gamma))
    image = np.round(enc * 255).astype(np.uint8)
    if camera.jpeg_quality is not None:
        buf = io.BytesIO()
        Image.fromarray(image).save(buf, format="JPEG", quality=camera.jpeg_quality)
        image = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    bases_a = np.asarray(bases).reshape(-1, 2)
    tips_a = np.asarray(tips).reshape(-1, 2)
    in_frame = (bases_a[:, 0] >= 0) & (bases_a[:, 0] < w) & (bases_a[:, 1] >= 0) & (bases_a[:, 1] < h)
    return Photo(
        image=image, micrometres_per_pixel=mpp, bases_px=bases_a, tips_px=tips_a,
        midpoints_px=np.asarray(mids).reshape(-1, 2),
        diameters_um=np.asarray([hh.diameter_um for hh in scalp.hairs]), in_frame=in_frame,
        glare_mask=glare,
    )


def _stamp(transmission: np.ndarray, pts: np.ndarray, r: float, w: int, h: int, profile, opaque_rgb) -> None:
    """Multiply the transmission by (1 - opaque × profile(distance)) around a polyline."""
    pad = r * 2.5 + 3
    lo = np.floor(pts.min(axis=0) - pad).astype(int)
    hi = np.ceil(pts.max(axis=0) + pad).astype(int)
    x0, y0 = max(lo[0], 0), max(lo[1], 0)
    x1, y1 = min(hi[0], w), min(hi[1], h)
    if x1 <= x0 or y1 <= y0:
        return
    dist = _distance_to_polyline(pts, x0, y0, x1 - x0, y1 - y0, pad)
    a = profile(dist, r)
    transmission[y0:y1, x0:x1] *= 1 - a[..., None] * np.asarray(opaque_rgb)


# --- convenience ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shot:
    """A scalp and how many times, and how differently, it is photographed."""

    scalp: ScalpConfig = field(default_factory=ScalpConfig)
    camera: CameraConfig = field(default_factory=CameraConfig)


def scalp_for(camera: CameraConfig, config: ScalpConfig, rng: np.random.Generator) -> Scalp:
    """A scalp large enough for any rotation and shift of this camera's frame, with room for
    hairs entering from outside."""
    half_diag = math.hypot(camera.width_px, camera.height_px) / 2 * camera.micrometres_per_pixel
    radius = half_diag + max(abs(s) for s in camera.shift_um) + config.length_um[1] + 100
    return make_scalp(config, radius, rng)


def phantom(scalp: ScalpConfig | None = None, camera: CameraConfig | None = None, seed: int = 0) -> Photo:
    """One scalp, one photograph."""
    scalp = scalp or ScalpConfig()
    camera = camera or CameraConfig()
    rng = np.random.default_rng(seed)
    return photograph(scalp_for(camera, scalp, rng), camera, rng)


def rephotograph(camera: CameraConfig, rng: np.random.Generator) -> CameraConfig:
    """The same site photographed again: another rotation, a small shift, other light and glare."""
    return replace(
        camera,
        rotation_deg=float(rng.uniform(-180, 180)),
        shift_um=(float(rng.normal(0, 150)), float(rng.normal(0, 150))),
        light_angle_deg=float(rng.uniform(0, 360)),
        vignetting=float(np.clip(camera.vignetting + rng.normal(0, 0.05), 0, 0.6)),
        exposure=float(camera.exposure * rng.uniform(0.9, 1.1)),
    )
