"""Shaft diameter from the darkness profile across the shaft.

Across a hair the image darkens over the shaft's width, softened by the optics' blur. The profile
across the shaft, sampled at many points along its centre line (each re-centred on its own
darkness centroid and the median taken, so a crossing or a pore under one of them does not
count), is fitted with a bar of width ``w`` and depth ``c`` seen through a Gaussian blur of
standard deviation ``sigma``:

    d(t) = b + c · [Φ((t - t0 + w/2)/σ) - Φ((t - t0 - w/2)/σ)]

The blur is one property of the photograph, so it is fitted once from the widest, darkest shafts
(where width and blur separate well) and held fixed for all others: for a thin shaft width and
blur trade off against each other, and a per-hair blur would make thin-hair diameters noise.
Measuring across the shaft this way does not depend on where a threshold cuts the blurred edge,
which is what biases a binary mask's width (or a blob's area) by contrast: with one threshold a
pale hair looks thinner and a dark one thicker than it is.

A real shaft is a cylinder, not a bar: a pale, translucent shaft darkens most along its middle
(its profile is closer to a half-ellipse), and the bar fitted to it is narrower than the shaft by
up to about 13 % (the bar and the half-ellipse of equal spread). Dark shafts are opaque and
bar-like. docs/hair-measurement.md reports what this costs on phantoms.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage, optimize, special

_SQRT2 = math.sqrt(2.0)


def bar_profile(t: np.ndarray, base: float, depth: float, centre: float, width: float, sigma: float) -> np.ndarray:
    s = max(sigma, 1e-3) * _SQRT2
    return base + depth * 0.5 * (
        special.erf((t - centre + width / 2) / s) - special.erf((t - centre - width / 2) / s)
    )


def sample_profiles(
    darkness: np.ndarray,
    points: np.ndarray,
    normals: np.ndarray,
    half_length_px: float,
    step_px: float = 0.5,
) -> tuple[np.ndarray, np.ndarray]:
    """Profiles across the shaft at ``points`` (row, col) along ``normals``; each re-centred on its
    own darkness centroid. Returns offsets ``t`` and the median profile."""
    t = np.arange(-half_length_px, half_length_px + step_px / 2, step_px)
    rows = points[:, 0:1] + normals[:, 0:1] * t[None, :]
    cols = points[:, 1:2] + normals[:, 1:2] * t[None, :]
    raw = ndimage.map_coordinates(darkness, [rows.ravel(), cols.ravel()], order=1, mode="nearest").reshape(rows.shape)
    # Re-centre each profile on the centroid of its darkness above the profile's own edge level.
    edge = np.minimum(np.median(raw[:, :4], axis=1), np.median(raw[:, -4:], axis=1))
    above = np.clip(raw - edge[:, None], 0, None)
    core = np.abs(t) <= half_length_px * 0.6
    weight = above * core[None, :]
    total = weight.sum(axis=1)
    shift = np.where(total > 0, (weight * t[None, :]).sum(axis=1) / np.where(total > 0, total, 1), 0.0)
    shift = np.clip(shift, -half_length_px / 3, half_length_px / 3)
    rows = points[:, 0:1] + normals[:, 0:1] * (t[None, :] + shift[:, None])
    cols = points[:, 1:2] + normals[:, 1:2] * (t[None, :] + shift[:, None])
    centred = ndimage.map_coordinates(darkness, [rows.ravel(), cols.ravel()], order=1, mode="nearest").reshape(rows.shape)
    return t, np.median(centred, axis=0)


def _bar_and_jacobian(t: np.ndarray, p: np.ndarray, sigma: float | None) -> tuple[np.ndarray, np.ndarray]:
    """The blurred bar and its derivatives in (base, depth, centre, width[, sigma])."""
    base, depth, centre, width = p[0], p[1], p[2], p[3]
    s = max(float(p[4]) if sigma is None else sigma, 1e-3)
    u1 = (t - centre + width / 2) / s
    u2 = (t - centre - width / 2) / s
    bar = 0.5 * (special.erf(u1 / _SQRT2) - special.erf(u2 / _SQRT2))
    g1 = np.exp(-0.5 * u1 * u1) / (math.sqrt(2 * math.pi) * s)
    g2 = np.exp(-0.5 * u2 * u2) / (math.sqrt(2 * math.pi) * s)
    columns = [np.ones_like(t), bar, depth * (g2 - g1), depth * 0.5 * (g1 + g2)]
    if sigma is None:
        columns.append(depth * (-g1 * u1 + g2 * u2))
    return base + depth * bar, np.stack(columns, axis=1)


def fit_bar(t: np.ndarray, profile: np.ndarray, width_guess: float, sigma: float | None) -> tuple[float, float, float, float] | None:
    """Fit the blurred bar: (width, depth, sigma, residual rms). ``sigma`` None fits the blur too.

    Levenberg-Marquardt with the analytic Jacobian (MINPACK through scipy): a few hundred fits
    per image must take well under a second."""
    edges = np.concatenate([profile[:4], profile[-4:]])
    base0 = float(np.median(edges))
    depth0 = float(profile.max() - base0)
    if depth0 <= 0 or not np.isfinite(depth0):
        return None
    step = float(t[1] - t[0])
    area = float(np.clip(profile - base0, 0, None).sum() * step)
    reach = float(t[-1])
    # Two starting widths: the segmentation's guess, and the profile's area over its depth. The
    # guess can be far off (a pale shaft on clean skin grows a wide mask), and with a sharp, fixed
    # blur the fit cannot walk in from far away: a bar's edges only pull where they overlap the
    # shaft's. The fit that explains the profile better is kept.
    moment_width = area / depth0
    starts = [width_guess if width_guess > 0 else moment_width]
    if width_guess > 0 and abs(width_guess - moment_width) > 0.25 * max(moment_width, 1.0):
        starts.append(moment_width)
    best: tuple[float, float, float, float] | None = None
    for start in starts:
        w0 = float(np.clip(start, 0.5, 1.5 * reach))
        x0 = [base0, depth0, 0.0, w0] + ([1.0] if sigma is None else [])
        fit = _fit_from(t, profile, x0, sigma, reach)
        if fit is not None and (best is None or fit[3] < best[3]):
            best = fit
    return best


def _fit_from(t: np.ndarray, profile: np.ndarray, x0: list[float], sigma: float | None,
              reach: float) -> tuple[float, float, float, float] | None:
    last: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}

    def evaluate(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        key = p.tobytes()
        if key not in last:
            last.clear()
            last[key] = _bar_and_jacobian(t, p, sigma)
        return last[key]

    def residual(p: np.ndarray) -> np.ndarray:
        return evaluate(p)[0] - profile

    def jacobian(p: np.ndarray) -> np.ndarray:
        return evaluate(p)[1]

    try:
        res = optimize.least_squares(residual, x0, jac=jacobian, method="lm", max_nfev=100)
    except (ValueError, np.linalg.LinAlgError):
        return None
    p = res.x
    width, depth = abs(float(p[3])), float(p[1])
    s = abs(float(p[4])) if sigma is None else sigma
    if not (np.all(np.isfinite(p)) and depth > 0 and width < 2 * reach and abs(p[2]) < reach / 2):
        return None
    rms = float(np.sqrt(np.mean(res.fun**2)))
    return width, depth, s, rms
