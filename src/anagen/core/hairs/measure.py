"""Count and measure hairs on a trichoscopy image of clipped hair (see the package docstring)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy import ndimage
from skimage import morphology

from anagen.core.errors import FieldError, InvalidInput
from anagen.core.hairs.profile import fit_bar, sample_profiles
from anagen.core.hairs.skeleton import Chain, follow_shafts, skeleton_graph

# Vellus hairs: shaft diameter under 30 µm (the and TrichoScan's cut-off; domain.md §4
# gives ≤30-40 µm across sources; 30 µm is the stricter and more common one).
VELLUS_MAX_DIAMETER_UM = 30.0

# The scale a trichoscope gives: 20×-70× dermatoscopes and TrichoScan cameras image roughly 1-20 µm
# per pixel; outside 0.5-50 µm a hair is either hundreds of pixels or under a pixel wide.
MIN_MICROMETRES_PER_PIXEL = 0.5
MAX_MICROMETRES_PER_PIXEL = 50.0
MIN_IMAGE_SIDE_PX = 128
MAX_IMAGE_PIXELS = 40_000_000

# Physical sizes the method assumes, in µm (converted to pixels with the image's scale).
WIDEST_SHAFT_UM = 150.0  # the background is estimated over windows wider than any shaft
# The skin's brightness is taken over windows this wide: wide enough that skin is over a quarter of
# any window even with a widest shaft across it (the 75th percentile is then skin), narrow enough to
# follow the skin's relief beside each hair. Three widest shafts (450 µm) left relief of 150-450 µm
# in the darkness, which raised the measured noise and with it every threshold.
BACKGROUND_WINDOW_UM = 1.5 * WIDEST_SHAFT_UM
SHORTEST_HAIR_UM = 100.0  # a clipped shaft shorter than this is a pore, a stub or debris
CORNER_SPAN_UM = 60.0
LINE_FILTER_UM = 75.0  # straight runs this long lift pale shafts out of the noise
# The oriented ridge response (step 3b of docs/hair-measurement.md): a straight run less the two
# parallel runs this far to either side. Twice this is wider than a vellus shaft (under 30 µm) with
# the blur of a trichoscope on both edges, so a thin shaft keeps its whole darkness, while skin
# texture and light coarser than the spacing cancel.
RIDGE_FLANK_UM = 30.0
RIDGE_LOW_LEVELS = 3.0  # hysteresis: pixels of the ridge response above 3 of its own noise levels,
RIDGE_SEED_LEVELS = 6.0  # connected to pixels above 6
# The skin's fine-scale noise: what is left of the darkness after its mean over this scale is
# taken away. A shaft's fitted contrast is measured against the skin just beside it (the fit's
# base), so texture coarser than a profile's reach does not enter it.
FINE_NOISE_UM = 30.0
# A shaft continues through a junction when it turns by at most this much; two hairs of a unit
# leaving one opening, or a hair ending on another, turn by far more.
MAX_TURN_THROUGH_JUNCTION_DEG = 40.0
CORNER_DEG = 35.0
# Glare: the sensor saturated; what lies under it cannot be seen, so it is left out of the area.
GLARE_LEVEL = 0.985


class QualityCode(StrEnum):
    BLUR = "blur"
    GLARE = "glare"
    FEW_HAIRS = "few_hairs"
    LOW_CONTRAST = "low_contrast"
    SMALL_AREA = "small_area"


# Thresholds of the quality notes.
MIN_BLUR_PX = 0.3  # the least blur a pixelated photograph shows (a pixel's square alone: 1/√12 px)
BLUR_NOTE_UM = 9.0  # blur (one standard deviation) past which a thin shaft's diameter is uncertain
GLARE_NOTE_SHARE = 0.03
FEW_HAIRS = 20  # with fewer, the count's Poisson spread alone exceeds ±22 %
SMALL_AREA_CM2 = 0.05
LOW_CONTRAST = 0.12
MIN_CONTRAST_NOISE_LEVELS = 2.5  # a shaft's fitted contrast, in the skin's noise levels


@dataclass(frozen=True)
class QualityNote:
    code: QualityCode
    message: str


@dataclass(frozen=True)
class Hair:
    """One counted hair: the midpoint of its visible shaft (pixels, x right, y down), its visible
    length, its shaft diameter, and both ends of the shaft (for drawing it)."""

    x_px: float
    y_px: float
    length_um: float
    diameter_um: float
    start_px: tuple[float, float]
    end_px: tuple[float, float]
    contrast: float
    path_px: tuple[tuple[float, float], ...] = ()  # the centre line, (x, y) every few pixels

    @property
    def vellus(self) -> bool:
        return self.diameter_um < VELLUS_MAX_DIAMETER_UM


@dataclass(frozen=True)
class HairMeasurement:
    hairs: tuple[Hair, ...]
    area_cm2: float  # the frame less any glare
    micrometres_per_pixel: float
    width_px: int
    height_px: int
    blur_um: float
    glare_share: float
    notes: tuple[QualityNote, ...]

    @property
    def hair_count(self) -> int:
        return len(self.hairs)

    @property
    def density_per_cm2(self) -> float:
        return self.hair_count / self.area_cm2 if self.area_cm2 > 0 else 0.0

    @property
    def median_diameter_um(self) -> float | None:
        if not self.hairs:
            return None
        return float(np.median([h.diameter_um for h in self.hairs]))

    @property
    def vellus_share(self) -> float | None:
        if not self.hairs:
            return None
        return sum(h.vellus for h in self.hairs) / len(self.hairs)


# --- input ---------------------------------------------------------------------------------------


def check_scale(micrometres_per_pixel: object) -> float:
    if isinstance(micrometres_per_pixel, bool) or not isinstance(micrometres_per_pixel, int | float):
        raise InvalidInput.single("micrometres_per_pixel", "must be a number")
    value = float(micrometres_per_pixel)
    if not math.isfinite(value) or value <= 0:
        raise InvalidInput.single("micrometres_per_pixel", "must be a positive number")
    if not MIN_MICROMETRES_PER_PIXEL <= value <= MAX_MICROMETRES_PER_PIXEL:
        raise InvalidInput.single(
            "micrometres_per_pixel",
            f"must be between {MIN_MICROMETRES_PER_PIXEL:g} and {MAX_MICROMETRES_PER_PIXEL:g} "
            f"micrometres per pixel (a trichoscope's scale), got {value:g}",
        )
    return value


def _linear_rgb(image: np.ndarray) -> np.ndarray:
    """An 8- or 16-bit sRGB image (grey, RGB or RGBA) as linear light in [0, 1], H × W × 3."""
    errors: list[FieldError] = []
    if not isinstance(image, np.ndarray):
        raise InvalidInput.single("image", "must be an image (an array of pixels)")
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3 or image.shape[2] not in (1, 3, 4):
        raise InvalidInput.single("image", "must be a grey, RGB or RGBA picture")
    h, w = image.shape[:2]
    if min(h, w) < MIN_IMAGE_SIDE_PX:
        errors.append(FieldError("image", f"is too small ({w}×{h} pixels): each side must be at least {MIN_IMAGE_SIDE_PX} pixels"))
    if h * w > MAX_IMAGE_PIXELS:
        errors.append(FieldError("image", f"is too large ({w}×{h} pixels): at most {MAX_IMAGE_PIXELS // 1_000_000} megapixels"))
    if image.dtype not in (np.uint8, np.uint16):
        errors.append(FieldError("image", "must have 8 or 16 bits per channel"))
    if errors:
        raise InvalidInput(errors)
    rgb = image[..., :3] if image.shape[2] >= 3 else np.repeat(image, 3, axis=2)
    # sRGB decoding through a table: camera JPEGs are gamma-encoded; light adds and multiplies in
    # linear units.
    return _SRGB_TABLES[image.dtype.itemsize][rgb]


def _srgb_table(levels: int) -> np.ndarray:
    enc = np.arange(levels, dtype=np.float64) / (levels - 1)
    return np.where(enc <= 0.04045, enc / 12.92, ((enc + 0.055) / 1.055) ** 2.4).astype(np.float32)


_SRGB_TABLES = {1: _srgb_table(256), 2: _srgb_table(65536)}


# --- the measurement -----------------------------------------------------------------------------


def measure_hairs(image: np.ndarray, micrometres_per_pixel: float) -> HairMeasurement:
    """Count and measure the hairs of a trichoscopy image (see the package docstring).

    Raises InvalidInput naming ``image`` or ``micrometres_per_pixel`` for input that cannot be
    measured: not a picture, too small or large, underexposed, or mostly glare.
    """
    mpp = check_scale(micrometres_per_pixel)
    linear = _linear_rgb(image)
    h, w = linear.shape[:2]
    saturated = (linear >= GLARE_LEVEL).all(axis=2) | (linear.max(axis=2) >= 0.999)
    lum = (0.2126 * linear[..., 0] + 0.7152 * linear[..., 1] + 0.0722 * linear[..., 2]).astype(np.float32)
    unsaturated = lum[~saturated]
    if unsaturated.size < 0.5 * lum.size:
        raise InvalidInput.single("image", "is mostly glare (over half the picture is saturated): photograph the site again with less light or a polarised dermatoscope")
    if float(np.median(unsaturated)) < 0.02:
        raise InvalidInput.single("image", "is too dark to measure (underexposed)")
    if float(np.percentile(unsaturated, 99) - np.percentile(unsaturated, 1)) < 0.01:
        raise InvalidInput.single("image", "shows nothing to measure (the picture is uniform)")

    # Glare washes out the light around the saturated core too: grow the mask by the blur's reach.
    glare = ndimage.binary_dilation(saturated, iterations=max(2, int(round(15 / mpp)))) if saturated.any() else saturated
    glare = morphology.remove_small_objects(glare, max_size=max(4, int(round((20 / mpp) ** 2)))) if glare.any() else glare
    valid = ~glare

    background = _background(lum, valid, mpp)
    darkness = 1.0 - lum / background
    darkness[glare] = 0.0
    skin = darkness[valid]
    centre = float(np.median(skin))
    darkness -= centre

    # Noise: the spread of the skin around the background, from the lower half (hairs lie above).
    smooth = ndimage.gaussian_filter(darkness, max(0.7, 2.5 / mpp), truncate=3.0)
    lower = smooth[valid]
    lower = lower[lower <= 0]
    noise = float(np.sqrt(np.mean(lower**2))) if lower.size else 0.01
    noise = max(noise, 0.004)

    mask = _segment(smooth, valid, noise, mpp)
    radius = ndimage.distance_transform_edt(mask).astype(np.float32)
    skel = morphology.skeletonize(mask)
    branches, junctions, n_j = skeleton_graph(skel)
    corner_span = max(CORNER_SPAN_UM / mpp, 6.0)
    chains = follow_shafts(branches, junctions, n_j, radius, MAX_TURN_THROUGH_JUNCTION_DEG, CORNER_DEG, corner_span)

    shortest = max(SHORTEST_HAIR_UM / mpp, 8.0)
    glare_labels, n_glare = ndimage.label(glare)
    glare_centres = {i + 1: np.asarray(c) for i, c in enumerate(
        ndimage.center_of_mass(glare, glare_labels, range(1, n_glare + 1)))} if n_glare else {}
    candidates = [c for c in chains if _length_px(c.points) >= shortest * 0.5]
    profiles = [_profile(darkness, c, radius, mpp) for c in candidates]
    blur_px = _blur(profiles, mpp)
    hairs: list[Hair] = []
    # The contrast is fitted on the median of the profiles along the whole shaft, whose noise is a
    # fraction of one pixel's, against the skin just beside it (the fit's base): so it is weighed
    # against the skin's fine-scale noise, not against texture coarser than a profile's reach
    # (that, at 2.5 levels, still rejected pale vellus hairs that stood clear of the skin along
    # their length). Bare skin with pores, furrows and texture gives no hair at this level
    # (tests/core/hairs).
    min_contrast = max(MIN_CONTRAST_NOISE_LEVELS * _fine_noise(smooth, valid, mpp), 0.04)
    shafts = []
    for chain, prof in zip(candidates, profiles, strict=True):
        if prof is None:
            continue
        t, values, width_guess, n_rows = prof
        fit = fit_bar(t, values, width_guess, blur_px)
        if fit is None:
            continue
        width_px, contrast, _, _ = fit
        if contrast < min_contrast:
            continue
        length_px = _shaft_length(chain, smooth, contrast, radius)
        alone = length_px >= shortest and length_px >= 3.0 * width_px
        shafts.append((chain, width_px, contrast, length_px, alone))
    # A shaft that leaves a junction is a hair apart from the one it left (the junction shows two
    # shafts), even when only a short piece of it shows beyond the other: it need not be as long as
    # a lone stroke must be to tell it from a pore or debris. Either the other shaft is a hair by
    # itself, or the short piece is twice as dark as a lone shaft must be (its median profile
    # rests on half the samples or fewer): two faint short pieces meeting (a skin furrow across an
    # opening) are not hairs.
    hair_junctions = {j for chain, *_, alone in shafts if alone for j in chain.junctions if j is not None}
    for chain, width_px, contrast, length_px, alone in shafts:
        if not alone:
            at_junction = [j for j in chain.junctions if j is not None]
            evident = any(j in hair_junctions for j in at_junction) or contrast >= 2.0 * min_contrast
            if not (at_junction and evident and length_px >= 0.5 * shortest and length_px >= 2.0 * width_px):
                continue
        if not _counted(chain, radius, glare, glare_labels, glare_centres, w, h):
            continue
        mid = _midpoint(chain.points)
        hairs.append(Hair(
            x_px=float(mid[1]), y_px=float(mid[0]), length_um=float(length_px * mpp),
            diameter_um=float(width_px * mpp), start_px=(float(chain.points[0][1]), float(chain.points[0][0])),
            end_px=(float(chain.points[-1][1]), float(chain.points[-1][0])), contrast=float(contrast),
            path_px=_path(chain.points),
        ))
    area_cm2 = float(valid.sum()) * (mpp * 1e-4) ** 2
    glare_share = float(glare.mean())
    return HairMeasurement(
        hairs=tuple(hairs), area_cm2=area_cm2, micrometres_per_pixel=mpp, width_px=w, height_px=h,
        blur_um=float(blur_px * mpp), glare_share=glare_share,
        notes=_notes(hairs, area_cm2, blur_px * mpp, glare_share),
    )


def _background(lum: np.ndarray, valid: np.ndarray, mpp: float) -> np.ndarray:
    """The skin's brightness without the hairs: a high percentile over windows wider than the
    widest shaft (hairs cover well under three quarters of any such window), on a reduced image, smoothed
    and enlarged. It carries vignetting and uneven light, which the darkness divides out."""
    factor = max(1, int(round(WIDEST_SHAFT_UM / mpp / 3)))
    h, w = lum.shape
    hh, ww = h // factor, w // factor
    filled = np.where(valid, lum, np.float32(np.median(lum[valid])))
    small = filled[: hh * factor, : ww * factor].reshape(hh, factor, ww, factor).mean(axis=(1, 3))
    size = max(3, int(round(BACKGROUND_WINDOW_UM / mpp / factor)) | 1)
    level = ndimage.percentile_filter(small, 75, size=size, mode="reflect")
    level = ndimage.gaussian_filter(level, size / 3, mode="reflect")
    zoom = (h / hh, w / ww)
    full = ndimage.zoom(level, zoom, order=1, mode="nearest", grid_mode=True)
    full = full[:h, :w]
    if full.shape != lum.shape:
        full = np.pad(full, ((0, h - full.shape[0]), (0, w - full.shape[1])), mode="edge")
    return np.maximum(full, np.float32(1e-3))


def _line_kernels(length_px: int, orientations: int) -> list[np.ndarray]:
    """Averaging kernels along straight lines of ``length_px`` at evenly spaced angles (bilinear
    weights, so every angle has the same total weight)."""
    kernels = []
    half = length_px // 2
    size = 2 * half + 1
    for k in range(orientations):
        angle = math.pi * k / orientations
        kernel = np.zeros((size + 2, size + 2), dtype=np.float32)
        for s in np.linspace(-half, half, 2 * length_px + 1):
            r, c = half + 1 - s * math.sin(angle), half + 1 + s * math.cos(angle)
            r0, c0 = int(math.floor(r)), int(math.floor(c))
            fr, fc = r - r0, c - c0
            kernel[r0, c0] += (1 - fr) * (1 - fc)
            kernel[r0 + 1, c0] += fr * (1 - fc)
            kernel[r0, c0 + 1] += (1 - fr) * fc
            kernel[r0 + 1, c0 + 1] += fr * fc
        kernels.append(kernel / kernel.sum())
    return kernels


def _segment(smooth: np.ndarray, valid: np.ndarray, noise: float, mpp: float) -> np.ndarray:
    """Hair pixels: darker than the skin by a few noise levels, and connected to pixels that lie
    on a clearly dark straight run. Averaging along short lines at 8 angles (a matched filter for
    a straight shaft) lifts a pale, thin shaft out of noise and skin texture that a single pixel
    cannot: the noise of a mean over n pixels falls as 1/√n, a line's darkness does not."""
    # On a half-size image when pixels are small (a shaft stays over a pixel wide): 4× less work.
    factor = 2 if mpp < 8.0 else 1
    h, w = smooth.shape
    reduced = smooth
    if factor > 1:
        hh, ww = h // factor, w // factor
        reduced = smooth[: hh * factor, : ww * factor].reshape(hh, factor, ww, factor).mean(axis=(1, 3))
    length = max(7, int(round(LINE_FILTER_UM / mpp / factor)))
    runs = [ndimage.convolve(reduced, k, mode="nearest") for k in _line_kernels(length, 8)]
    line = np.max(runs, axis=0)
    ridge = _ridge(runs, RIDGE_FLANK_UM / mpp / factor)
    # The strongest straight run within the filter's reach. A line that merely crosses a shaft
    # picks up part of its darkness, so a dark shaft lifts every pixel within half a filter length
    # of it; on clean skin (a tiny spread) that alone put those pixels in the mask, which grew three
    # to five times wider than the shaft, with blunt ends whose skeleton forks and junctions that
    # swallowed nearby specks (one hair counted as two). A pixel belongs to a straight run when its
    # own run is at least half as dark as the strongest nearby one (half maximum, the edge of a
    # blurred bar).
    nearby = ndimage.maximum_filter(line, size=length | 1, mode="nearest")
    if factor > 1:
        # Bilinear enlargement: a blocky one gives the mask staircase edges, and the skeleton
        # of a staircase sprouts spurs.
        line, nearby = (
            np.pad(z[:h, :w], ((0, max(h - z.shape[0], 0)), (0, max(w - z.shape[1], 0))), mode="edge")
            for z in (ndimage.zoom(a, (h / a.shape[0], w / a.shape[1]), order=1, mode="nearest", grid_mode=True)
                      for a in (line, nearby))
        )
    skin_line = line[valid]
    centre = float(np.median(skin_line))
    below = skin_line[skin_line <= centre] - centre
    spread = max(float(np.sqrt(np.mean(below**2))) if below.size else noise, 1e-4)
    low = (smooth > 3.0 * noise) | ((line > centre + 3.0 * spread) & (line - centre >= 0.5 * (nearby - centre)))
    low &= valid
    seeds = low & ((line > centre + 6.0 * spread) | (smooth > 8.0 * noise))
    labels, n = ndimage.label(low, structure=np.ones((3, 3), bool))
    keep = np.zeros(n + 1, dtype=bool)
    keep[np.unique(labels[seeds])] = True
    keep[0] = False
    mask = keep[labels]
    # Pale thin shafts on textured skin: the oriented ridge response, by hysteresis against its own
    # noise on the skin (a robust spread: the median absolute deviation, which the hairs covering a
    # minority of the picture do not move). Its pixels join the mask, with any segment above that
    # holds a seed.
    ridge = _enlarge(ridge, h, w) if factor > 1 else ridge
    r_skin = ridge[valid]
    r_centre = float(np.median(r_skin))
    r_spread = max(_MAD_TO_SD * float(np.median(np.abs(r_skin - r_centre))), 1e-4)
    r_low = (ridge > r_centre + RIDGE_LOW_LEVELS * r_spread) & valid
    r_seeds = r_low & (ridge > r_centre + RIDGE_SEED_LEVELS * r_spread)
    either = r_low | mask
    labels, n = ndimage.label(either, structure=np.ones((3, 3), bool))
    keep = np.zeros(n + 1, dtype=bool)
    keep[np.unique(labels[r_seeds | mask])] = True
    keep[0] = False
    mask = keep[labels] & either
    mask = morphology.remove_small_holes(mask, max_size=max(4, int(round((12 / mpp) ** 2))))
    mask = morphology.remove_small_objects(mask, max_size=max(6, int(round((30 / mpp) ** 2))))
    return mask


_MAD_TO_SD = 1.4826  # the median absolute deviation of a normal distribution, in standard deviations


def _fine_noise(smooth: np.ndarray, valid: np.ndarray, mpp: float) -> float:
    """The skin's fine-scale noise (see FINE_NOISE_UM), as a robust spread over the picture."""
    fine = smooth - ndimage.gaussian_filter(smooth, FINE_NOISE_UM / mpp, truncate=3.0)
    skin = fine[valid]
    return max(_MAD_TO_SD * float(np.median(np.abs(skin - np.median(skin)))), 0.004)


def _enlarge(a: np.ndarray, h: int, w: int) -> np.ndarray:
    z = ndimage.zoom(a, (h / a.shape[0], w / a.shape[1]), order=1, mode="nearest", grid_mode=True)[:h, :w]
    return np.pad(z, ((0, max(h - z.shape[0], 0)), (0, max(w - z.shape[1], 0))), mode="edge")


def _ridge(runs: list[np.ndarray], flank_px: float) -> np.ndarray:
    """An oriented ridge response: for each direction, the straight run's darkness less the mean of
    the two parallel runs ``flank_px`` to either side. Skin texture coarser than the flanks'
    spacing and the light's unevenness cancel; a thin shaft (narrower than twice the spacing) keeps
    its whole darkness. The strongest direction wins."""
    n = len(runs)
    best = np.full_like(runs[0], -np.inf)
    for k, run in enumerate(runs):
        angle = math.pi * k / n
        # The run's direction is (row -sin, col cos); across it: (row cos, col sin).
        dr, dc = flank_px * math.cos(angle), flank_px * math.sin(angle)
        side_a = ndimage.shift(run, (dr, dc), order=1, mode="nearest")
        side_b = ndimage.shift(run, (-dr, -dc), order=1, mode="nearest")
        response = run - 0.5 * (side_a + side_b)
        np.maximum(best, response, out=best)
    return best


def _length_px(points: np.ndarray) -> float:
    """Length along the centre line, smoothed first: a pixel staircase is longer than its line."""
    if len(points) < 2:
        return 0.0
    if len(points) > 5:
        points = ndimage.gaussian_filter1d(points.astype(float), 3.0, axis=0, mode="nearest")
    return float(np.hypot(*np.diff(points, axis=0).T).sum())


def _shaft_length(chain: Chain, smooth: np.ndarray, contrast: float, radius: np.ndarray) -> float:
    """The visible shaft's length: the centre line between the first and last points at least
    half as dark as the shaft (the mask reaches past a shaft's ends by the line filter's reach)."""
    pts = chain.points
    rr = np.clip(np.round(pts).astype(int), 0, None)
    rr[:, 0] = np.minimum(rr[:, 0], smooth.shape[0] - 1)
    rr[:, 1] = np.minimum(rr[:, 1], smooth.shape[1] - 1)
    dark = smooth[rr[:, 0], rr[:, 1]] >= 0.5 * contrast
    if dark.sum() < 2:
        return _length_px(pts)
    idx = np.nonzero(dark)[0]
    trimmed = Chain(pts[idx[0]:idx[-1] + 1], (chain.free[0] and idx[0] == 0, chain.free[1] and idx[-1] == len(pts) - 1),
                    chain.junctions, chain.near_junction[idx[0]:idx[-1] + 1])
    # No allowance at the ends: blur and the line filter carry the mask, and so the skeleton, about
    # as far past a shaft's end as the skeleton falls short of the mask's end.
    return _length_px(trimmed.points)


def _path(points: np.ndarray, step_px: int = 6) -> tuple[tuple[float, float], ...]:
    idx = sorted(set(range(0, len(points), step_px)) | {len(points) - 1})
    return tuple((round(float(points[i][1]), 1), round(float(points[i][0]), 1)) for i in idx)


def _midpoint(points: np.ndarray) -> np.ndarray:
    steps = np.hypot(*np.diff(points, axis=0).T)
    arc = np.concatenate([[0.0], np.cumsum(steps)])
    i = int(np.searchsorted(arc, arc[-1] / 2))
    return points[min(i, len(points) - 1)]


def _profile(darkness: np.ndarray, chain: Chain, radius: np.ndarray, mpp: float):
    """The median profile across the chain's shaft, away from junctions and ends."""
    pts = chain.points
    if len(pts) < 3:
        return None
    smooth_pts = ndimage.gaussian_filter1d(pts, 2.0, axis=0, mode="nearest")
    tangent = np.gradient(smooth_pts, axis=0)
    norm = np.hypot(*tangent.T)
    norm[norm == 0] = 1
    tangent /= norm[:, None]
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], axis=1)
    rr = np.round(pts).astype(int)
    rr[:, 0] = np.clip(rr[:, 0], 0, radius.shape[0] - 1)
    rr[:, 1] = np.clip(rr[:, 1], 0, radius.shape[1] - 1)
    half_width = radius[rr[:, 0], rr[:, 1]]
    typical = float(np.median(half_width)) if half_width.size else 1.0
    steps = np.hypot(*np.diff(pts, axis=0).T)
    arc = np.concatenate([[0.0], np.cumsum(steps)])
    keep = ~chain.near_junction
    trim = 2.0 * typical + 2.0
    keep &= (arc >= trim if chain.free[0] else arc >= 0) & (arc <= arc[-1] - trim if chain.free[1] else arc <= arc[-1])
    if keep.sum() < 3:
        keep = np.ones(len(pts), dtype=bool)
        if len(pts) > 6:
            keep[:2] = keep[-2:] = False
    idx = np.nonzero(keep)[0]
    if len(idx) > 60:
        idx = idx[np.linspace(0, len(idx) - 1, 60).astype(int)]
    half_length = max(3.0 * typical + 6.0, 8.0)
    t, values = sample_profiles(darkness, pts[idx].astype(float), normal[idx], half_length)
    return t, values, 2.0 * typical, len(idx)


def _blur(profiles, mpp: float) -> float:
    """The optics' blur (px): fitted on the widest, darkest shafts, where it separates from width."""
    estimates = []
    # The widest shafts measured along many points: a dozen of them settle the blur.
    usable = [p for p in profiles if p is not None and p[2] >= 6 and p[3] >= 8]
    usable.sort(key=lambda p: -p[3])  # the longest clean runs of shaft
    for prof in usable[:20]:
        t, values, width_guess, n_rows = prof
        fit = fit_bar(t, values, width_guess, None)
        if fit is None:
            continue
        width, contrast, sigma, rms = fit
        # A blur under a third of a pixel cannot come out of a camera whose pixels each average
        # light over their whole square (that alone blurs by 0.29 px): such a fit has traded blur
        # for width on a shaft too thin to tell them apart, and says nothing about the optics.
        if width > 2 * sigma and sigma >= MIN_BLUR_PX and contrast > 0.2 and rms < 0.1 * contrast:
            estimates.append((width, sigma))
    if estimates:
        return float(np.median([s for _, s in estimates]))
    return max(0.6, 4.0 / mpp)  # a sharp trichoscope, when no shaft is wide enough to tell


def _counted(chain: Chain, radius: np.ndarray, glare: np.ndarray, glare_labels: np.ndarray,
             glare_centres: dict[int, np.ndarray], w: int, h: int) -> bool:
    """Gundersen's unbiased counting frame (Gundersen 1977, J Microsc 111:219): a shaft wholly in
    the frame counts; a shaft cut by the frame counts when it touches only the top or left edge,
    not the bottom or right one. A hair is meant to count when the point where it leaves the skin
    lies in the frame; for a shaft cut by the frame one image cannot always tell which of its ends
    that is, and this rule counts such shafts exactly as often, on average, as their exit points
    lie inside. Glare is a hole in the frame: its upper-left half includes, its lower-right half
    excludes, by the same reasoning."""
    excluded = False
    touches = False
    for r, c in (chain.points[0], chain.points[-1]):
        rad = float(radius[int(round(r)), int(round(c))])
        reach = rad + 3.0
        if c >= w - 1 - reach or r >= h - 1 - reach:
            excluded = True
        if c <= reach or r <= reach:
            touches = True
        r0, r1 = int(max(r - reach, 0)), int(min(r + reach + 1, h))
        c0, c1 = int(max(c - reach, 0)), int(min(c + reach + 1, w))
        hit = glare_labels[r0:r1, c0:c1]
        for label in np.unique(hit[hit > 0]):
            gr, gc = glare_centres[int(label)]
            if (gr - r) + (gc - c) > 0:  # the glare lies below or right of this end
                excluded = True
            touches = True
    del touches
    return not excluded


def _notes(hairs: list[Hair], area_cm2: float, blur_um: float, glare_share: float) -> tuple[QualityNote, ...]:
    notes = []
    if blur_um > BLUR_NOTE_UM:
        notes.append(QualityNote(QualityCode.BLUR, f"The image is blurred (about {blur_um:.0f} µm): thin shafts' diameters are uncertain; refocus and photograph again."))
    if glare_share > GLARE_NOTE_SHARE:
        notes.append(QualityNote(QualityCode.GLARE, f"Glare covers {100 * glare_share:.0f}% of the image; it is left out of the measured area."))
    if len(hairs) < FEW_HAIRS:
        notes.append(QualityNote(QualityCode.FEW_HAIRS, f"Only {len(hairs)} hairs counted: the density is uncertain (count a larger area)."))
    if area_cm2 < SMALL_AREA_CM2:
        notes.append(QualityNote(QualityCode.SMALL_AREA, f"The measured area is small ({area_cm2:.3f} cm²): the density is uncertain."))
    if hairs and float(np.median([h.contrast for h in hairs])) < LOW_CONTRAST:
        notes.append(QualityNote(QualityCode.LOW_CONTRAST, "The hairs show little contrast against the skin (light or grey hair, or overexposure): check the marks."))
    return tuple(notes)


# --- the clinician's corrections -----------------------------------------------------------------


@dataclass(frozen=True)
class HairFigures:
    """The figures filed for a visit: from the automatic marks, or after the clinician's changes."""

    hair_count: int
    area_cm2: float
    density_per_cm2: float
    median_diameter_um: float | None
    mean_diameter_um: float | None
    vellus_share: float | None


def figures(diameters_um: list[float | None], area_cm2: float) -> HairFigures:
    """Count, density, median diameter and vellus share of a set of marked hairs. A mark whose
    diameter could not be measured counts toward the density but not toward the diameters."""
    if not (isinstance(area_cm2, int | float) and math.isfinite(area_cm2) and area_cm2 > 0):
        raise InvalidInput.single("area_cm2", "must be a positive number")
    measured = [d for d in diameters_um if d is not None]
    return HairFigures(
        hair_count=len(diameters_um),
        area_cm2=float(area_cm2),
        density_per_cm2=len(diameters_um) / area_cm2,
        median_diameter_um=float(np.median(measured)) if measured else None,
        mean_diameter_um=float(np.mean(measured)) if measured else None,
        vellus_share=(sum(d < VELLUS_MAX_DIAMETER_UM for d in measured) / len(measured)) if measured else None,
    )


def diameter_at(image: np.ndarray, micrometres_per_pixel: float, x_px: float, y_px: float,
                blur_um: float) -> float | None:
    """The shaft diameter (µm) of a hair the clinician marked at (x, y), or None when no shaft is
    found there. The shaft's direction is the one along which a short straight run through the
    point is darkest; the profile across it is fitted as in the measurement, with the blur the
    measurement found for the whole image."""
    mpp = check_scale(micrometres_per_pixel)
    linear = _linear_rgb(image)
    h, w = linear.shape[:2]
    if not (0 <= x_px < w and 0 <= y_px < h):
        raise InvalidInput.single("x_px" if not 0 <= x_px < w else "y_px", "must lie inside the image")
    reach = int(math.ceil(max(WIDEST_SHAFT_UM * 1.5 / mpp, 30)))
    r0, r1 = max(int(y_px) - reach, 0), min(int(y_px) + reach + 1, h)
    c0, c1 = max(int(x_px) - reach, 0), min(int(x_px) + reach + 1, w)
    window = linear[r0:r1, c0:c1]
    lum = 0.2126 * window[..., 0] + 0.7152 * window[..., 1] + 0.0722 * window[..., 2]
    skin = float(np.percentile(lum, 75))
    if skin <= 0:
        return None
    darkness = 1.0 - lum / skin
    smooth = ndimage.gaussian_filter(darkness, max(1.0, 6.0 / mpp))
    # Snap to the darkest point within a few pixels of the click (a click lands beside a thin hair).
    cy, cx = int(round(y_px)) - r0, int(round(x_px)) - c0
    snap = max(2, int(round(15 / mpp)))
    sy0, sx0 = max(cy - snap, 0), max(cx - snap, 0)
    patch = smooth[sy0:cy + snap + 1, sx0:cx + snap + 1]
    py, px = np.unravel_index(int(np.argmax(patch)), patch.shape)
    cy, cx = sy0 + int(py), sx0 + int(px)
    # The shaft's direction from the Hessian at the shaft's scale: across a dark line the
    # darkness curves most strongly (the eigenvector of the most negative eigenvalue).
    scale = max(1.5, 20.0 / mpp)
    hrr = ndimage.gaussian_filter(darkness, scale, order=(2, 0))[cy, cx]
    hcc = ndimage.gaussian_filter(darkness, scale, order=(0, 2))[cy, cx]
    hrc = ndimage.gaussian_filter(darkness, scale, order=(1, 1))[cy, cx]
    eigenvalues, eigenvectors = np.linalg.eigh(np.array([[hrr, hrc], [hrc, hcc]]))
    normal = eigenvectors[:, int(np.argmin(eigenvalues))]
    tangent = np.array([-normal[1], normal[0]])
    along = np.linspace(-30 / mpp, 30 / mpp, 9)
    points = np.array([cy, cx], dtype=float)[None, :] + along[:, None] * tangent[None, :]
    half = max(WIDEST_SHAFT_UM / mpp * 0.75, 8.0)
    t, values = sample_profiles(darkness.astype(np.float32), points, np.repeat(normal[None, :], len(points), 0), half)
    best = (float(values.max()), t, values)
    if best[0] <= 0.02:
        return None
    fit = fit_bar(best[1], best[2], 0.0, max(blur_um / mpp, 0.3))
    if fit is None or fit[1] <= 0.02:
        return None
    return float(fit[0] * mpp)
