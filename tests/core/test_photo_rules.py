from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from anagen.core.photos import (
    ENGLISH,
    FILE_PROBLEMS,
    IN_STANDARD_ORDER,
    STANDARD_VIEWS,
    MeasurementRef,
    PhotoRuleError,
    PhotoView,
    Problem,
    assign_views,
    check_request_limits,
    check_upload_limits,
    count_sessions_between,
    default_comparison_dates,
    megabytes,
    nearest_measurement,
    parse_exif_datetime,
    thumbnail_size,
)

D = dt.date


def test_the_six_standard_views_come_in_the_order_they_are_taken():
    assert [v.value for v in STANDARD_VIEWS] == ["vertex", "midline_part", "frontal", "temporal_left", "temporal_right", "occipital"]
    assert PhotoView.TRICHOSCOPY not in STANDARD_VIEWS


def test_files_in_standard_order_get_the_views_in_turn():
    assert assign_views(IN_STANDARD_ORDER, 3) == [PhotoView.VERTEX, PhotoView.MIDLINE_PART, PhotoView.FRONTAL]


def test_it_refuses_more_than_six_files_in_standard_order():
    with pytest.raises(PhotoRuleError, match="at most 6") as caught:
        assign_views(IN_STANDARD_ORDER, 7)
    assert caught.value.field == "files"


def test_one_chosen_view_applies_to_every_file():
    assert assign_views("trichoscopy", 2) == [PhotoView.TRICHOSCOPY, PhotoView.TRICHOSCOPY]


def test_it_refuses_an_unknown_view_and_no_files():
    with pytest.raises(PhotoRuleError) as caught:
        assign_views("selfie", 1)
    assert caught.value.field == "view"
    with pytest.raises(PhotoRuleError, match="at least one"):
        assign_views("vertex", 0)


def test_it_refuses_a_file_over_the_byte_limit():
    with pytest.raises(PhotoRuleError, match="larger than the limit of 1.0 MB"):
        check_upload_limits(1024 * 1024 + 1, 10, 10, max_bytes=1024 * 1024, max_pixels=100)


def test_it_refuses_a_header_claiming_more_pixels_than_the_limit():
    with pytest.raises(PhotoRuleError, match="10000 × 10000 pixels, more than the limit of 50 megapixels"):
        check_upload_limits(500, 10_000, 10_000, max_bytes=10**6, max_pixels=50_000_000)


def test_it_accepts_a_file_exactly_at_both_limits():
    check_upload_limits(1000, 100, 10, max_bytes=1000, max_pixels=1000)


# The refusals are problem codes with their figures, so each caller words them in the reader's
# language (the staff upload and the portal, in Hindi or Marathi); the English is for everyone else.


def _refusal(call, *args, **kwargs) -> PhotoRuleError:
    with pytest.raises(PhotoRuleError) as caught:
        call(*args, **kwargs)
    return caught.value


def test_a_file_over_the_byte_limit_is_refused_as_too_large_with_the_limit_and_its_size_in_megabytes():
    error = _refusal(check_upload_limits, 25 * 1024 * 1024, 10, 10, max_bytes=20 * 1024 * 1024, max_pixels=100)
    assert (error.field, error.problem, error.params) == ("files", Problem.TOO_LARGE, {"limit_mb": 20.0, "size_mb": 25.0})
    assert error.message == "is larger than the limit of 20.0 MB (25.0 MB)."


def test_a_header_over_the_pixel_limit_is_refused_with_its_size_and_the_limit_in_megapixels():
    error = _refusal(check_upload_limits, 500, 10_000, 10_000, max_bytes=10**6, max_pixels=50_000_000)
    assert error.problem == Problem.TOO_MANY_PIXELS
    assert error.params == {"width": 10_000, "height": 10_000, "limit_megapixels": 50.0}


def test_a_header_without_a_picture_is_refused_as_such():
    assert _refusal(check_upload_limits, 500, 0, 10, max_bytes=10**6, max_pixels=100).problem == Problem.NO_PICTURE


def test_too_many_files_in_one_request_are_refused_with_the_limit_and_the_count():
    error = _refusal(check_request_limits, [1] * 13, max_files=12, max_pixels=10**9)
    assert (error.problem, error.params) == (Problem.TOO_MANY_FILES, {"max": 12, "count": 13})
    assert error.message == "Send at most 12 photographs at a time (13 were sent)."


def test_files_too_large_together_are_refused_with_their_megapixels_and_the_limit():
    error = _refusal(check_request_limits, [60_000_000, 60_000_000], max_files=12, max_pixels=100_000_000)
    assert (error.problem, error.params) == (Problem.REQUEST_TOO_LARGE, {"megapixels": 120.0, "limit_megapixels": 100.0})
    assert "120 megapixels together, more than the 100 megapixels" in error.message


def test_the_views_refusals_carry_their_codes():
    assert _refusal(assign_views, IN_STANDARD_ORDER, 7).params == {"max": 6, "count": 7}
    assert _refusal(assign_views, IN_STANDARD_ORDER, 7).problem == Problem.TOO_MANY_IN_ORDER
    assert _refusal(assign_views, "selfie", 1).problem == Problem.NO_VIEW
    assert _refusal(assign_views, "vertex", 0).problem == Problem.NO_FILES


def test_every_problem_has_an_english_wording_and_a_file_problem_reads_after_the_files_name():
    assert set(ENGLISH) == set(Problem)
    assert FILE_PROBLEMS <= set(Problem)
    assert Problem.TOO_MANY_FILES not in FILE_PROBLEMS and Problem.NOT_AN_IMAGE in FILE_PROBLEMS


def test_megabytes_are_mebibytes_to_one_decimal():
    assert megabytes(20 * 1024 * 1024) == 20.0
    assert megabytes(1024 * 1024 + 1) == 1.0
    assert megabytes(1_500_000) == 1.4


def test_a_thumbnail_keeps_the_aspect_and_never_enlarges():
    assert thumbnail_size(4000, 3000) == (320, 240)
    assert thumbnail_size(3000, 4000) == (240, 320)
    assert thumbnail_size(200, 100) == (200, 100)


def test_the_capture_time_is_read_in_the_clinic_zone_without_an_offset():
    captured = parse_exif_datetime("2026:11:20 10:15:00", None, "Asia/Kolkata")
    assert captured == dt.datetime(2026, 11, 20, 10, 15, tzinfo=ZoneInfo("Asia/Kolkata"))
    assert captured.astimezone(dt.UTC) == dt.datetime(2026, 11, 20, 4, 45, tzinfo=dt.UTC)


def test_the_capture_time_uses_the_recorded_offset():
    captured = parse_exif_datetime(b"2026:11:20 10:15:00", "+01:00", "Asia/Kolkata")
    assert captured.astimezone(dt.UTC) == dt.datetime(2026, 11, 20, 9, 15, tzinfo=dt.UTC)


@pytest.mark.parametrize("value", ["", "not a date", "2026:13:40 10:15:00", "0000:00:00 00:00:00", None, 12])
def test_an_unreadable_capture_time_is_none(value):
    assert parse_exif_datetime(value, None, "Asia/Kolkata") is None


def test_the_default_comparison_is_the_first_visit_against_the_latest():
    assert default_comparison_dates([D(2026, 5, 1), D(2026, 1, 3), D(2026, 3, 2)]) == (D(2026, 1, 3), D(2026, 5, 1))
    assert default_comparison_dates([]) == (None, None)


def test_sessions_count_from_the_earlier_date_up_to_but_not_the_later_one():
    sessions = [D(2026, 1, 1), D(2026, 1, 15), D(2026, 2, 1), D(2026, 3, 1)]
    assert count_sessions_between(sessions, D(2026, 1, 1), D(2026, 3, 1)) == 3
    assert count_sessions_between(sessions, D(2026, 3, 1), D(2026, 1, 1)) == 3
    assert count_sessions_between(sessions, D(2026, 1, 2), D(2026, 1, 3)) == 0


def test_the_nearest_measurement_is_chosen_and_ties_go_to_the_earlier():
    sets = [MeasurementRef(1, D(2026, 1, 1)), MeasurementRef(2, D(2026, 1, 11)), MeasurementRef(3, D(2026, 3, 1))]
    assert nearest_measurement(sets, D(2026, 1, 6)).id == 1
    assert nearest_measurement(sets, D(2026, 1, 9)).id == 2
    assert nearest_measurement(sets, D(2026, 2, 25)).id == 3


def test_no_measurement_is_chosen_beyond_the_window():
    sets = [MeasurementRef(1, D(2026, 1, 1))]
    assert nearest_measurement(sets, D(2026, 6, 1)) is None
    assert nearest_measurement(sets, D(2026, 6, 1), max_days=200).id == 1


def test_the_follow_up_measurement_is_taken_at_the_baselines_site():
    baseline = MeasurementRef(1, D(2026, 1, 1), "vertex", Decimal("10.0"))
    elsewhere = MeasurementRef(2, D(2026, 4, 1), "frontal", Decimal("2.0"))
    same = MeasurementRef(3, D(2026, 3, 20), "vertex", Decimal("10.0"))
    assert nearest_measurement([baseline, elsewhere, same], D(2026, 4, 1), same_site_as=baseline).id == 3
    assert nearest_measurement([baseline, elsewhere], D(2026, 4, 1), same_site_as=baseline) is None
