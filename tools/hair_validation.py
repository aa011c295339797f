"""Validate hair measurement on synthetic phantoms: the tables of docs/hair-measurement.md.

Two configurations of the phantom generator (tests/core/hairs/phantom.py):

- ``development``: the one the method was developed against (its seeds 1-99);
- ``held_out``: different geometry (unit sizes and spread, hair flow, lengths, curvature,
  diameter distribution, pigments, spacing, pores, furrows, skin tone) AND different imaging
  (portrait frame, 4 µm per pixel instead of 5, more blur, noise, vignetting, two glare spots, a
  plain 2.0 power-law gamma instead of sRGB, JPEG quality 75) and seeds from 10,000. It was
  written before the first validation run and not looked at while the method was developed;
  its figures are the ones the targets are read against.

For each configuration: one phantom per (density, vellus share) on the grid 80-250/cm² ×
0.1-0.4, and repeatability: six scalps (densities across the range) photographed four times each
with another rotation, shift, light, glare spots, noise and compression.

- ``held_out_2``: a third configuration written after the first held-out run had been studied
  (see docs/hair-measurement.md) and before the method that followed was run on it.
- ``held_out_3``: a fourth, written (and committed) before the ridge-detection method of 4 Dec 2026
  was run on it; ``held_out_2`` had been run and published by then, so it is no longer unseen.

Usage: .venv/bin/python tools/hair_validation.py [--config held_out_3|held_out_2|held_out|development|all]
       [--write docs/hair-measurement.md] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from tests.core.hairs.phantom import (  # noqa: E402
    CameraConfig,
    ScalpConfig,
    photograph,
    rephotograph,
    scalp_for,
)

from anagen.core.hairs import measure_hairs  # noqa: E402

DENSITIES = (80, 120, 160, 200, 250)
VELLUS = (0.1, 0.2, 0.3, 0.4)

CONFIGS: dict[str, tuple[ScalpConfig, CameraConfig, int]] = {
    "development": (ScalpConfig(), CameraConfig(), 1),
    "held_out": (
        ScalpConfig(
            unit_sizes=(0.4, 0.35, 0.18, 0.07), unit_spread_deg=(5.0, 40.0), flow_concentration=2.0,
            length_um=(350.0, 1100.0), max_curvature_per_um=1 / 1800, terminal_diameter_um=(55.0, 16.0),
            vellus_diameter_um=(10.0, 29.5), intermediate_share=0.25, pigment_shares=(0.6, 0.25, 0.15),
            min_unit_spacing_um=140.0, empty_pores_per_cm2=90.0, furrows_per_cm2=6.0,
            skin_rgb=(0.55, 0.36, 0.26),
        ),
        CameraConfig(
            width_px=1200, height_px=1600, micrometres_per_pixel=4.0, blur_sigma_um=6.0, noise_sd=0.015,
            vignetting=0.4, light_gradient=0.15, glare_spots=2, specular_share=0.5, gamma="2.0",
            jpeg_quality=75, texture=0.07,
        ),
        10_000,
    ),
    # Written on 3 Dec 2026 before the change that followed the first held-out run was measured
    # on it (that run was studied to find what loses hairs, so `held_out` no longer counts as
    # unseen). Its geometry and imaging sit between and beside the other two, with its own seeds;
    # it was not run until the method was final.
    "held_out_2": (
        ScalpConfig(
            unit_sizes=(0.45, 0.33, 0.16, 0.06), unit_spread_deg=(6.0, 35.0), flow_concentration=1.5,
            length_um=(400.0, 1300.0), max_curvature_per_um=1 / 2000, terminal_diameter_um=(58.0, 15.0),
            vellus_diameter_um=(11.0, 29.5), intermediate_share=0.2, pigment_shares=(0.65, 0.22, 0.13),
            min_unit_spacing_um=160.0, empty_pores_per_cm2=75.0, furrows_per_cm2=5.0,
            skin_rgb=(0.58, 0.39, 0.30),
        ),
        CameraConfig(
            width_px=1440, height_px=1080, micrometres_per_pixel=4.5, blur_sigma_um=5.5, noise_sd=0.013,
            vignetting=0.35, light_gradient=0.12, glare_spots=1, specular_share=0.4, gamma="2.2",
            jpeg_quality=82, texture=0.06,
        ),
        20_000,
    ),
    # Written on 4 Dec 2026, before the method that followed the held_out_2 run (multi-scale
    # oriented ridge detection, contrast against the skin's fine-scale noise) was run on it: its
    # parameters were fixed and committed first. Geometry and imaging again beside the other
    # three, at the 1600×1200 size of the speed target, with its own seeds.
    "held_out_3": (
        ScalpConfig(
            unit_sizes=(0.42, 0.36, 0.17, 0.05), unit_spread_deg=(7.0, 38.0), flow_concentration=1.2,
            length_um=(450.0, 1200.0), max_curvature_per_um=1 / 2200, terminal_diameter_um=(60.0, 15.0),
            vellus_diameter_um=(11.0, 29.5), intermediate_share=0.22, pigment_shares=(0.68, 0.2, 0.12),
            min_unit_spacing_um=150.0, empty_pores_per_cm2=80.0, furrows_per_cm2=5.0,
            skin_rgb=(0.60, 0.40, 0.31),
        ),
        CameraConfig(
            width_px=1600, height_px=1200, micrometres_per_pixel=4.8, blur_sigma_um=5.8, noise_sd=0.014,
            vignetting=0.35, light_gradient=0.14, glare_spots=1, specular_share=0.35, gamma="2.1",
            jpeg_quality=80, texture=0.065,
        ),
        30_000,
    ),
}


def one(args: tuple[str, float, float, int, int]) -> dict[str, float]:
    name, density, vellus, seed, shots = args
    scalp_cfg, camera, _ = CONFIGS[name]
    rng = np.random.default_rng(seed)
    scalp_cfg = replace(scalp_cfg, density_per_cm2=density, vellus_share=vellus)
    base_camera = replace(camera, rotation_deg=float(rng.uniform(0, 360)))
    scalp = scalp_for(replace(base_camera, shift_um=(400.0, 400.0)), scalp_cfg, rng)
    out = []
    for k in range(shots):
        cam = base_camera if k == 0 else rephotograph(base_camera, rng)
        photo = photograph(scalp, cam, rng)
        started = time.process_time()
        m = measure_hairs(photo.image, photo.micrometres_per_pixel)
        cpu = time.process_time() - started
        out.append({
            "true_density": photo.true_density_per_cm2, "density": m.density_per_cm2,
            "true_count": photo.true_count, "count": m.hair_count,
            "true_median": photo.true_median_diameter_um, "median": m.median_diameter_um or float("nan"),
            "true_vellus": photo.true_vellus_share, "vellus": m.vellus_share if m.vellus_share is not None else float("nan"),
            "cpu_s": cpu,
        })
    return {"density_cfg": density, "vellus_cfg": vellus, "shots": out}


def icc_oneway(table: np.ndarray) -> float:
    """ICC(1,1) (Shrout & Fleiss 1979): subjects in rows, repeated measurements in columns."""
    n, k = table.shape
    grand = table.mean()
    msb = k * ((table.mean(axis=1) - grand) ** 2).sum() / (n - 1)
    msw = ((table - table.mean(axis=1, keepdims=True)) ** 2).sum() / (n * (k - 1))
    return float((msb - msw) / (msb + (k - 1) * msw))


def report(name: str, workers: int) -> str:
    _, camera, seed0 = CONFIGS[name]
    grid = [(name, float(d), float(v), seed0 + i, 1) for i, (d, v) in enumerate((d, v) for d in DENSITIES for v in VELLUS)]
    repeat = [(name, float(d), 0.25, seed0 + 500 + i, 4) for i, d in enumerate((80, 110, 140, 170, 210, 250))]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        grid_rows = list(pool.map(one, grid))
        repeat_rows = list(pool.map(one, repeat))
    lines = [
        f"### `{name}` configuration ({camera.width_px}×{camera.height_px} px, "
        f"{camera.micrometres_per_pixel:g} µm per pixel, blur {camera.blur_sigma_um:g} µm, JPEG quality {camera.jpeg_quality})\n",
        "| density set (/cm²) | vellus share set | true hairs in frame | counted | count error | true median diameter (µm) | measured | error (µm) | true vellus share | measured | error |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    count_err, diam_err, vel_err = [], [], []
    for row in grid_rows:
        s = row["shots"][0]
        ce = s["density"] / s["true_density"] - 1 if s["true_density"] else float("nan")
        de = s["median"] - s["true_median"]
        ve = s["vellus"] - s["true_vellus"]
        count_err.append(ce)
        diam_err.append(de)
        vel_err.append(ve)
        lines.append(
            f"| {row['density_cfg']:.0f} | {row['vellus_cfg']:.1f} | {s['true_count']} | {s['count']} | {100 * ce:+.1f}% | "
            f"{s['true_median']:.1f} | {s['median']:.1f} | {de:+.1f} | {s['true_vellus']:.3f} | {s['vellus']:.3f} | {ve:+.3f} |"
        )
    ce, de, ve = np.array(count_err), np.array(diam_err), np.array(vel_err)
    dens = np.array([[s["density"] for s in r["shots"]] for r in repeat_rows])
    truth = np.array([[s["true_density"] for s in r["shots"]] for r in repeat_rows])
    cv = float(np.sqrt(np.mean((dens.std(axis=1, ddof=1) / dens.mean(axis=1)) ** 2)))
    cv_truth = float(np.sqrt(np.mean((truth.std(axis=1, ddof=1) / truth.mean(axis=1)) ** 2)))
    # The method's own share: the coefficient of variation of measured ÷ true density in each
    # frame (what is left when each re-photograph's frame, which holds other hairs, is allowed for).
    ratio = dens / truth
    cv_method = float(np.sqrt(np.mean((ratio.std(axis=1, ddof=1) / ratio.mean(axis=1)) ** 2)))
    cpu = [s["cpu_s"] for r in grid_rows + repeat_rows for s in r["shots"]]
    lines += [
        "",
        "| figure | result | target | met |",
        "|---|---:|---:|:---:|",
        f"| mean absolute count error (density measured vs true) | {100 * np.mean(np.abs(ce)):.1f}% | ≤ 15% | {'yes' if np.mean(np.abs(ce)) <= 0.15 else 'no'} |",
        f"| mean signed count error (bias) | {100 * np.mean(ce):+.1f}% | | |",
        f"| largest count error | {100 * np.max(np.abs(ce)):.1f}% | ≤ 30% | {'yes' if np.max(np.abs(ce)) <= 0.30 else 'no'} |",
        f"| mean absolute median-diameter error | {np.mean(np.abs(de)):.1f} µm | ≤ 6 µm | {'yes' if np.mean(np.abs(de)) <= 6 else 'no'} |",
        f"| largest median-diameter error | {np.max(np.abs(de)):.1f} µm | | {'(all ≤ 6)' if np.max(np.abs(de)) <= 6 else '(some > 6)'} |",
        f"| mean absolute vellus-share error | {np.mean(np.abs(ve)):.3f} | ≤ 0.08 | {'yes' if np.mean(np.abs(ve)) <= 0.08 else 'no'} |",
        f"| largest vellus-share error | {np.max(np.abs(ve)):.3f} | | {'(all ≤ 0.08)' if np.max(np.abs(ve)) <= 0.08 else '(some > 0.08)'} |",
        f"| repeatability: coefficient of variation of density, same scalp photographed 4 times (6 scalps) | {100 * cv:.1f}% | < 4% | {'yes' if cv < 0.04 else 'no'} |",
        f"| … of which the frame alone (the true density in each rotated, shifted frame) | {100 * cv_truth:.1f}% | | |",
        f"| … the method alone (measured ÷ true density of each frame) | {100 * cv_method:.1f}% | < 4% | {'yes' if cv_method < 0.04 else 'no'} |",
        f"| repeatability: intraclass correlation ICC(1,1) of density | {icc_oneway(dens):.3f} | > 0.91 (TrichoScan, Hoffmann 2001) | {'yes' if icc_oneway(dens) > 0.91 else 'no'} |",
        f"| CPU time per measurement (median, this run) | {np.median(cpu):.2f} s | | |",
        "",
        "Repeatability, each scalp's four measured densities (/cm²) and the true density in each frame:",
        "",
        "| scalp (density set) | measured | true in frame |",
        "|---:|---|---|",
    ]
    for r, d, t in zip(repeat_rows, dens, truth, strict=True):
        lines.append(f"| {r['density_cfg']:.0f} | {', '.join(f'{x:.0f}' for x in d)} | {', '.join(f'{x:.0f}' for x in t)} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", choices=("held_out_3", "held_out_2", "held_out", "development", "all"), default="all")
    ap.add_argument("--write", help="replace the text between the validation markers of this file")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    names = ["held_out_3", "held_out_2", "held_out", "development"] if args.config == "all" else [args.config]
    text = "\n".join(report(n, args.workers) for n in names)
    print(text)
    if args.write:
        begin, end = "<!-- validation:begin -->", "<!-- validation:end -->"
        with open(args.write, encoding="utf-8") as handle:
            doc = handle.read()
        head, rest = doc.split(begin, 1)
        _, tail = rest.split(end, 1)
        with open(args.write, "w", encoding="utf-8") as handle:
            handle.write(head + begin + "\n" + text + end + tail)
    return 0


if __name__ == "__main__":
    sys.exit(main())
