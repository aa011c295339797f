"""``anagen hairs``: the JSON contract, and bad input refused with exit 2 naming the field."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from tests.core.hairs.test_measurement import scene

from anagen.jsoncommands import run_command

OUTPUT_FIELDS = {"hair_count", "area_cm2", "density_per_cm2", "median_diameter_um", "vellus_share", "hairs", "quality"}


def _run(document):
    out, err = io.StringIO(), io.StringIO()
    rc = run_command("hairs", [], stdin=io.StringIO(json.dumps(document)), stdout=out, stderr=err)
    return rc, (json.loads(out.getvalue()) if out.getvalue() else None), (json.loads(err.getvalue()) if err.getvalue() else None)


@pytest.fixture
def picture(tmp_path):
    path = tmp_path / "site.jpg"
    image = scene([(60, 200, 340, 200, 60, 0.8), (200, 60, 200, 340, 22, 0.4)])
    Image.fromarray(image).save(path, quality=92)
    return path


def test_the_command_measures_a_picture_and_writes_the_issue_fields(picture):
    rc, out, err = _run({"image": str(picture), "micrometres_per_pixel": 5.0})
    assert rc == 0 and err is None
    assert set(out) == OUTPUT_FIELDS
    assert out["hair_count"] == 2 == len(out["hairs"])
    assert out["area_cm2"] == pytest.approx(400 * 400 * 25e-8, rel=1e-3)
    assert out["density_per_cm2"] == pytest.approx(2 / out["area_cm2"], rel=1e-2)
    assert out["vellus_share"] == 0.5
    for hair in out["hairs"]:
        assert set(hair) == {"x_px", "y_px", "length_um", "diameter_um"}
    assert sorted(round(h["diameter_um"] / 10) for h in out["hairs"]) == [2, 6]
    assert set(out["quality"]) == {"ok", "blur_um", "glare_share", "notes"}
    assert {n["code"] for n in out["quality"]["notes"]} >= {"few_hairs"}


def test_the_command_runs_from_the_shell(picture):
    done = subprocess.run(
        [sys.executable, "-m", "anagen.cli", "hairs"], input=json.dumps({"image": str(picture), "micrometres_per_pixel": 5}),
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["hair_count"] == 2


@pytest.mark.parametrize("scale", [0, -1, "5", True, None, 1e9])
def test_a_scale_that_is_not_positive_exits_2_naming_it(picture, scale):
    rc, out, err = _run({"image": str(picture), "micrometres_per_pixel": scale})
    assert rc == 2 and out is None
    assert [f["field"] for f in err["fields"]] == ["micrometres_per_pixel"]


def test_a_missing_file_exits_2_naming_image(tmp_path):
    rc, out, err = _run({"image": str(tmp_path / "nothing.jpg"), "micrometres_per_pixel": 5})
    assert rc == 2 and out is None
    assert err["fields"] == [{"field": "image", "message": f"no file at {tmp_path / 'nothing.jpg'}"}]


def test_a_file_that_is_not_a_picture_exits_2_naming_image(tmp_path):
    text = tmp_path / "notes.jpg"
    text.write_text("not a picture")
    rc, _, err = _run({"image": str(text), "micrometres_per_pixel": 5})
    assert rc == 2 and [f["field"] for f in err["fields"]] == ["image"]
    assert "not a picture" in err["fields"][0]["message"]


def test_a_truncated_picture_exits_2_naming_image(tmp_path, picture):
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(picture.read_bytes()[:2000])
    rc, _, err = _run({"image": str(cut), "micrometres_per_pixel": 5})
    assert rc == 2 and [f["field"] for f in err["fields"]] == ["image"]


def test_a_picture_too_small_to_measure_exits_2_naming_image(tmp_path):
    small = tmp_path / "small.png"
    Image.fromarray(np.full((40, 40, 3), 180, np.uint8)).save(small)
    rc, _, err = _run({"image": str(small), "micrometres_per_pixel": 5})
    assert rc == 2 and [f["field"] for f in err["fields"]] == ["image"]
    assert "too small" in err["fields"][0]["message"]


def test_both_bad_fields_are_named_at_once_and_unknown_or_missing_fields_too(tmp_path):
    rc, _, err = _run({"image": str(tmp_path / "x.jpg"), "micrometres_per_pixel": -2})
    assert rc == 2 and {f["field"] for f in err["fields"]} == {"image", "micrometres_per_pixel"}
    rc, _, err = _run({"micrometres_per_pixel": 5, "zoom": 2})
    assert rc == 2 and {f["field"] for f in err["fields"]} == {"image", "zoom"}
    rc, _, err = _run([1, 2])
    assert rc == 2 and err["fields"][0]["field"] == "$"


@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_are_measured_or_refused_naming_image(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("bytes") / "any.jpg"
    path.write_bytes(data)
    rc, out, err = _run({"image": str(path), "micrometres_per_pixel": 5})
    assert rc == 2 and out is None
    assert {f["field"] for f in err["fields"]} == {"image"}
