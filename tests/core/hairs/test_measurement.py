"""Hair measurement on drawn scenes whose truth is known: single shafts, crossings, follicular
units, edges, glare, blur, bad input; and on a small phantom from the generator."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy import ndimage
from tests.core.hairs.phantom import CameraConfig, ScalpConfig, phantom

from anagen.core.errors import InvalidInput
from anagen.core.hairs import (
    VELLUS_MAX_DIAMETER_UM,
    QualityCode,
    diameter_at,
    figures,
    measure_hairs,
)

MPP = 5.0
SKIN = np.array([0.62, 0.42, 0.33])


def scene(shafts, size=(400, 400), blur_px=1.0, noise=0.006, seed=0, glare=None):
    """An sRGB image of straight shafts: each (x0, y0, x1, y1, diameter_um, darkness)."""
    h, w = size
    yy, xx = np.mgrid[0:h, 0:w].astype(float)
    transmission = np.ones((h, w))
    for x0, y0, x1, y1, diameter_um, darkness in shafts:
        a, b = np.array([x0, y0], float), np.array([x1, y1], float)
        ab = b - a
        t = np.clip(((xx - a[0]) * ab[0] + (yy - a[1]) * ab[1]) / (ab @ ab), 0, 1)
        dist = np.hypot(xx - (a[0] + t * ab[0]), yy - (a[1] + t * ab[1]))
        r = diameter_um / 2 / MPP
        # Supersampled edge: the share of each pixel the shaft covers.
        cover = np.clip(r - dist + 0.5, 0, 1)
        transmission *= 1 - darkness * cover
    lin = SKIN[None, None, :] * transmission[..., None]
    lin = ndimage.gaussian_filter(lin, (blur_px, blur_px, 0))
    if glare is not None:
        gx, gy, gr = glare
        lin = lin + 2.0 * np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * gr**2))[..., None]
    rng = np.random.default_rng(seed)
    lin = np.clip(lin + rng.normal(0, noise, lin.shape), 0, 1)
    enc = np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)
    return np.round(enc * 255).astype(np.uint8)


def test_one_dark_shaft_is_one_hair_of_its_diameter():
    m = measure_hairs(scene([(100, 150, 300, 250, 60, 0.8)]), MPP)
    assert m.hair_count == 1
    hair = m.hairs[0]
    assert abs(hair.diameter_um - 60) <= 4
    assert abs(hair.length_um - math.hypot(200, 100) * MPP) <= 0.1 * math.hypot(200, 100) * MPP
    assert 190 <= hair.x_px <= 210 and 190 <= hair.y_px <= 210
    assert not hair.vellus


def test_a_thin_pale_shaft_is_counted_as_vellus():
    m = measure_hairs(scene([(80, 80, 320, 300, 20, 0.35)]), MPP)
    assert m.hair_count == 1
    assert m.hairs[0].diameter_um < VELLUS_MAX_DIAMETER_UM
    assert m.vellus_share == 1.0


def test_two_crossing_shafts_are_two_hairs_not_four():
    m = measure_hairs(scene([(60, 200, 340, 200, 60, 0.8), (200, 60, 200, 340, 50, 0.8)]), MPP)
    assert m.hair_count == 2
    assert sorted(round(h.diameter_um / 10) for h in m.hairs) == [5, 6]


def test_a_follicular_unit_of_three_hairs_is_three_hairs():
    base = (200, 320)
    shafts = [(base[0], base[1], base[0] + 220 * math.sin(a), base[1] - 220 * math.cos(a), 55, 0.8)
              for a in (-0.45, 0.0, 0.45)]
    m = measure_hairs(scene(shafts), MPP)
    assert m.hair_count == 3


def test_two_hairs_leaving_one_opening_in_a_v_are_two_hairs():
    shafts = [(200, 330, 110, 90, 60, 0.8), (200, 330, 300, 100, 45, 0.8)]
    m = measure_hairs(scene(shafts), MPP)
    assert m.hair_count == 2


def test_a_shaft_cut_by_the_right_or_bottom_edge_is_not_counted_and_by_the_left_or_top_edge_is():
    right = measure_hairs(scene([(250, 200, 420, 210, 60, 0.8)]), MPP)
    left = measure_hairs(scene([(-20, 200, 150, 210, 60, 0.8)]), MPP)
    bottom = measure_hairs(scene([(200, 250, 210, 420, 60, 0.8)]), MPP)
    top = measure_hairs(scene([(200, -20, 210, 150, 60, 0.8)]), MPP)
    assert (right.hair_count, bottom.hair_count) == (0, 0)
    assert (left.hair_count, top.hair_count) == (1, 1)


def test_glare_is_left_out_of_the_area_and_noted():
    plain = measure_hairs(scene([(60, 100, 340, 110, 60, 0.8)]), MPP)
    glared = measure_hairs(scene([(60, 100, 340, 110, 60, 0.8)], glare=(250, 300, 30)), MPP)
    assert glared.area_cm2 < plain.area_cm2 * 0.97
    assert QualityCode.GLARE in {n.code for n in glared.notes}
    assert glared.hair_count == 1  # the shaft away from the glare still counts


def test_a_blurred_image_and_few_hairs_are_noted():
    m = measure_hairs(scene([(100, 150, 300, 250, 60, 0.8)], blur_px=4.0), MPP)
    codes = {n.code for n in m.notes}
    assert QualityCode.BLUR in codes
    assert QualityCode.FEW_HAIRS in codes
    assert m.blur_um > 9


def test_skin_alone_has_no_hairs():
    m = measure_hairs(scene([]), MPP)
    assert m.hair_count == 0
    assert m.median_diameter_um is None and m.vellus_share is None
    assert m.density_per_cm2 == 0


def test_uneven_light_does_not_make_hairs():
    image = scene([]).astype(float)
    h, w = image.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    light = 1 - 0.5 * (((xx - w / 2) ** 2 + (yy - h / 2) ** 2) / (w * w / 2))
    dimmed = np.clip(image * light[..., None], 0, 255).astype(np.uint8)
    assert measure_hairs(dimmed, MPP).hair_count == 0


@pytest.mark.parametrize("scale", [0, -5, float("nan"), float("inf"), True, "5", None, 0.1, 500])
def test_a_scale_that_is_not_a_positive_plausible_number_is_refused(scale):
    with pytest.raises(InvalidInput) as caught:
        measure_hairs(scene([]), scale)
    assert caught.value.errors[0].field == "micrometres_per_pixel"


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((50, 50, 3), np.uint8),  # too small
        np.zeros((200, 200, 3), np.float64),  # not 8 or 16 bit
        np.zeros((200, 200, 2), np.uint8),  # not grey/RGB/RGBA
        np.zeros((200, 200, 3), np.uint8),  # black: underexposed
        np.full((200, 200, 3), 255, np.uint8),  # all glare
        np.full((200, 200, 3), 128, np.uint8),  # uniform
        [[1, 2], [3, 4]],  # not an array
    ],
)
def test_a_picture_that_cannot_be_measured_is_refused_naming_image(image):
    with pytest.raises(InvalidInput) as caught:
        measure_hairs(image, MPP)
    assert {e.field for e in caught.value.errors} == {"image"}


def test_grey_16_bit_and_rgba_pictures_are_read():
    rgb = scene([(100, 150, 300, 250, 60, 0.8)])
    grey16 = (rgb.mean(axis=2) * 257).astype(np.uint16)
    rgba = np.concatenate([rgb, np.full(rgb.shape[:2] + (1,), 255, np.uint8)], axis=2)
    assert measure_hairs(grey16, MPP).hair_count == 1
    assert measure_hairs(rgba, MPP).hair_count == 1


def test_figures_count_every_mark_and_measure_the_measured_ones():
    f = figures([20.0, 40.0, 60.0, None], 0.5)
    assert f.hair_count == 4 and f.density_per_cm2 == 8.0
    assert f.median_diameter_um == 40.0
    assert f.vellus_share == pytest.approx(1 / 3)
    assert figures([], 0.5).median_diameter_um is None
    with pytest.raises(InvalidInput):
        figures([1.0], 0)


def test_the_diameter_of_a_hair_marked_by_hand_is_measured_at_the_click():
    image = scene([(80, 100, 330, 300, 70, 0.8), (60, 330, 330, 330, 22, 0.4)])
    assert abs(diameter_at(image, MPP, 205, 200, 5.0) - 70) <= 6
    thin = diameter_at(image, MPP, 200, 331, 5.0)
    assert thin is not None and thin < VELLUS_MAX_DIAMETER_UM
    assert diameter_at(image, MPP, 350, 60, 5.0) is None  # bare skin
    with pytest.raises(InvalidInput):
        diameter_at(image, MPP, 500, 10, 5.0)


def test_a_phantom_is_measured_within_the_targets_tolerance():
    photo = phantom(ScalpConfig(density_per_cm2=180, vellus_share=0.25), CameraConfig(), seed=77)
    m = measure_hairs(photo.image, photo.micrometres_per_pixel)
    assert abs(m.density_per_cm2 / photo.true_density_per_cm2 - 1) <= 0.30
    assert abs(m.median_diameter_um - photo.true_median_diameter_um) <= 8
    assert abs(m.vellus_share - photo.true_vellus_share) <= 0.15


@pytest.mark.parametrize("camera", [
    CameraConfig(),
    # Darker, more textured skin, more noise and blur, a plain 2.0 gamma and stronger compression.
    CameraConfig(width_px=600, height_px=800, micrometres_per_pixel=4.0, blur_sigma_um=6.0, noise_sd=0.015,
                 vignetting=0.4, glare_spots=2, gamma="2.0", jpeg_quality=75, texture=0.07),
])
def test_bare_scalp_with_pores_furrows_and_texture_has_no_hairs(camera):
    # The thresholds stand on the noise measured on the skin; this is what keeps them from
    # reading the skin itself (its openings, furrows and relief) as pale hairs.
    scalp = ScalpConfig(density_per_cm2=0.0, empty_pores_per_cm2=120.0, furrows_per_cm2=8.0, skin_rgb=(0.55, 0.36, 0.26))
    for seed in (1, 2):
        photo = phantom(scalp, camera, seed=seed)
        assert photo.true_count == 0
        assert measure_hairs(photo.image, photo.micrometres_per_pixel).hair_count == 0


def test_a_portrait_picture_is_measured_like_its_landscape_turn():
    shafts = [(100, 120, 300, 160, 60, 0.8), (120, 260, 280, 320, 40, 0.7), (60, 330, 150, 250, 25, 0.45)]
    landscape = scene(shafts, size=(400, 420))
    portrait = np.ascontiguousarray(np.rot90(landscape))
    a, b = measure_hairs(landscape, MPP), measure_hairs(portrait, MPP)
    assert a.hair_count == b.hair_count == 3
    assert sorted(round(h.diameter_um) for h in a.hairs) == pytest.approx(sorted(round(h.diameter_um) for h in b.hairs), abs=3)


@pytest.mark.parametrize(("angle", "diameter_um"), [(1.390625, 25.0), (1.1, 25.0), (1.335, 30.0), (0.314, 30.0), (1.571, 30.0)])
def test_a_lone_pale_thin_shaft_on_clean_skin_is_found_and_measured(angle, diameter_um):
    # Once missed or measured 20-300 % wide: on clean skin the mask of a lone pale shaft grows far
    # wider than the shaft, the blur fitted on it alone came out implausibly sharp, and the fit
    # started from the mask's width never reached the shaft's.
    dx, dy = 55 * math.cos(angle), 40 * math.sin(angle)
    m = measure_hairs(scene([(200 - dx, 70 - dy, 200 + dx, 70 + dy, diameter_um, 0.5)], size=(420, 400), seed=0), MPP)
    assert m.hair_count == 1
    assert abs(m.hairs[0].diameter_um - diameter_um) <= 6.0
    assert 0.8 <= m.blur_um / MPP <= 1.4  # the scene's blur is 1 px (plus the pixel's own 0.29)


# --- properties ----------------------------------------------------------------------------------


# Every angle, the pixel rows and columns included: on clean skin a shaft's mask once grew several
# times its width, and a shaft near the horizontal beside a noise speck was counted twice (the
# speck's loop merged into a junction whose centre lay off the shaft, and the bridge through that
# centre was cut as a corner), as was a shaft near the vertical whose blunt mask end forked. The
# explicit examples are such double counts (three from a sweep of angles, diameters and noise
# seeds, one found by this search), so the property fails on that code whatever the search draws;
# derandomised, so a red build means the code changed.
_shaft = st.tuples(
    st.floats(0.0, math.pi),  # angle
    st.floats(25, 95),  # diameter µm
    st.floats(0.5, 0.9),  # darkness
)


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_shaft, min_size=1, max_size=3), st.integers(0, 2**16))
@example([(0.0, 25.0, 0.5)], 5)
@example([(0.0, 25.0, 0.5)], 9)
@example([(0.1309, 70.0, 0.85)], 1)
@example([(1.75, 25.0, 0.5)], 31)
def test_separate_straight_shafts_are_each_counted_once_and_measured(shafts, seed):
    # One shaft per horizontal band, well inside the frame: any angle, any plausible diameter.
    drawn = []
    for i, (angle, diameter, darkness) in enumerate(shafts):
        cx, cy = 200, 70 + 130 * i
        dx, dy = 55 * math.cos(angle), 40 * math.sin(angle)
        drawn.append((cx - dx, cy - dy, cx + dx, cy + dy, diameter, darkness))
    m = measure_hairs(scene(drawn, size=(420, 400), seed=seed), MPP)
    assert m.hair_count == len(shafts)
    measured = sorted(h.diameter_um for h in m.hairs)
    for got, want in zip(measured, sorted(d for _, d, _ in shafts), strict=True):
        assert abs(got - want) <= max(6.0, 0.12 * want)


@pytest.mark.parametrize("seed", [5, 9])
def test_a_thin_shaft_along_the_pixel_rows_beside_a_noise_speck_is_still_one_hair(seed):
    # These two noise patterns each put a speck beside the shaft that joins its mask.
    m = measure_hairs(scene([(145, 70, 255, 70, 25.0, 0.5)], size=(420, 400), seed=seed), MPP)
    assert m.hair_count == 1
    assert abs(m.hairs[0].length_um - 110 * MPP) <= 0.15 * 110 * MPP


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1), st.integers(128, 300), st.integers(128, 300), st.floats(1.0, 20.0))
def test_any_noisy_picture_gives_consistent_figures_or_a_clear_refusal(seed, h, w, scale):
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    try:
        m = measure_hairs(image, scale)
    except InvalidInput as exc:
        assert {e.field for e in exc.errors} <= {"image"}
        return
    assert m.area_cm2 > 0
    assert m.density_per_cm2 == pytest.approx(m.hair_count / m.area_cm2)
    for hair in m.hairs:
        assert 0 <= hair.x_px < w and 0 <= hair.y_px < h
        assert hair.diameter_um > 0 and hair.length_um > 0
    if m.hairs:
        assert 0 <= m.vellus_share <= 1


# --- pale thin shafts on textured skin (the oriented ridge response, the skin's fine-scale noise) --


def textured_scene(shafts, relief=0.1, noise=0.012, seed=3, size=(400, 400)):
    """A scene whose skin has relief coarser than any shaft (about 120 µm): the texture that made
    the skin's measured noise, and with it every threshold, too high for pale vellus hairs."""
    h, w = size
    rng = np.random.default_rng(seed)
    coarse = ndimage.gaussian_filter(rng.standard_normal((h, w)), 120 / MPP)
    coarse /= coarse.std()
    yy, xx = np.mgrid[0:h, 0:w].astype(float)
    transmission = np.ones((h, w))
    for x0, y0, x1, y1, diameter_um, darkness in shafts:
        a, b = np.array([x0, y0], float), np.array([x1, y1], float)
        ab = b - a
        t = np.clip(((xx - a[0]) * ab[0] + (yy - a[1]) * ab[1]) / (ab @ ab), 0, 1)
        dist = np.hypot(xx - (a[0] + t * ab[0]), yy - (a[1] + t * ab[1]))
        transmission *= 1 - darkness * np.clip(diameter_um / 2 / MPP - dist + 0.5, 0, 1)
    lin = SKIN[None, None, :] * ((1 + relief * coarse) * transmission)[..., None]
    lin = ndimage.gaussian_filter(lin, (1.0, 1.0, 0))
    lin = np.clip(lin + rng.normal(0, noise, lin.shape), 0, 1)
    enc = np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)
    return np.round(enc * 255).astype(np.uint8)


@pytest.mark.parametrize(("diameter_um", "darkness", "seed"), [(12, 0.2, 3), (18, 0.15, 4)])
def test_a_pale_thin_vellus_shaft_on_coarsely_textured_skin_is_found_and_measured_as_vellus(diameter_um, darkness, seed):
    # The method before the ridge response lost both: the skin's relief set its thresholds.
    m = measure_hairs(textured_scene([(70, 90, 330, 310, diameter_um, darkness)], seed=seed), MPP)
    assert m.hair_count == 1
    assert m.hairs[0].diameter_um < VELLUS_MAX_DIAMETER_UM


def test_coarsely_textured_skin_alone_has_no_hairs():
    for seed in (3, 4, 5):
        assert measure_hairs(textured_scene([], seed=seed), MPP).hair_count == 0


def test_the_ridge_response_ignores_a_light_ramp_and_keeps_a_thin_lines_darkness():
    from anagen.core.hairs.measure import _line_kernels, _ridge

    yy, xx = np.mgrid[0:120, 0:120].astype(np.float32)
    ramp = 0.002 * xx + 0.001 * yy
    line = ramp + np.where(np.abs(yy - 60) < 1.5, 0.1, 0.0).astype(np.float32)
    for image, expected in ((ramp, 0.0), (line, 0.1)):
        runs = [ndimage.convolve(image, k, mode="nearest") for k in _line_kernels(15, 8)]
        response = _ridge(runs, 6.0)[30:90, 30:90]
        if expected == 0.0:
            assert np.abs(response).max() < 1e-3
        else:
            assert abs(response[30].max() - expected) < 0.015  # on the line
            assert response[10].max() < 1e-3  # off it


def test_the_skins_fine_scale_noise_leaves_out_texture_coarser_than_a_shaft():
    from anagen.core.hairs.measure import _fine_noise

    rng = np.random.default_rng(1)
    white = rng.normal(0, 0.01, (300, 300)).astype(np.float32)
    coarse = ndimage.gaussian_filter(rng.standard_normal((300, 300)), 30).astype(np.float32)
    coarse *= 0.05 / coarse.std()
    valid = np.ones((300, 300), bool)
    assert 0.008 <= _fine_noise(white + coarse, valid, MPP) <= 0.012
