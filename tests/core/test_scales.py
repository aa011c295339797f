import pytest
from hypothesis import given
from hypothesis import strategies as st

from anagen.core.errors import InvalidInput
from anagen.core.protocol import Protocol
from anagen.core.scales import (
    DEFAULT_ADVANCED_STAGES,
    SCALES,
    PatternStage,
    Scale,
    is_advanced,
    stage_description,
)

EXPECTED = {
    Scale.NORWOOD_HAMILTON: ["I", "II", "IIa", "III", "IIIa", "III-vertex", "IV", "IVa", "V", "Va", "VI", "VII"],
    Scale.LUDWIG: ["I", "II", "III"],
    Scale.SINCLAIR: ["1", "2", "3", "4", "5"],
    Scale.SAVIN: ["I-1", "I-2", "I-3", "I-4", "II-1", "II-2", "III", "advanced", "frontal"],
}


def test_every_scale_has_exactly_the_published_stages_in_order():
    for scale, stages in EXPECTED.items():
        assert list(SCALES[scale].stage_codes) == stages


def test_every_stage_has_a_description_and_every_scale_a_source():
    for definition in SCALES.values():
        assert definition.source
        for stage in definition.stages:
            assert len(stage_description(definition.scale, stage)) > 10


def test_it_rejects_a_stage_from_another_scale_naming_the_field():
    with pytest.raises(InvalidInput) as caught:
        stage_description("ludwig", "IV")
    assert caught.value.errors[0].field == "stage"
    with pytest.raises(InvalidInput) as caught:
        PatternStage("norwood", "I")  # type: ignore[arg-type]
    assert caught.value.errors[0].field == "scale"


def test_default_advanced_stages_are_norwood_v_and_beyond_ludwig_iii_sinclair_5_savin_iii():
    protocol = Protocol()
    assert is_advanced("norwood_hamilton", "V", protocol)
    assert is_advanced("norwood_hamilton", "VII", protocol)
    assert not is_advanced("norwood_hamilton", "IVa", protocol)
    assert is_advanced("ludwig", "III", protocol)
    assert not is_advanced("ludwig", "II", protocol)
    assert is_advanced("sinclair", "5", protocol)
    assert is_advanced("savin", "advanced", protocol)
    assert not is_advanced("savin", "frontal", protocol)


def test_which_stages_are_advanced_is_one_protocol_setting():
    protocol = Protocol(advanced_stages=frozenset({(Scale.LUDWIG, "II")}))
    assert is_advanced(Scale.LUDWIG, "II", protocol)
    assert not is_advanced(Scale.LUDWIG, "III", protocol)


def test_the_protocol_refuses_an_advanced_stage_that_does_not_exist():
    with pytest.raises(InvalidInput) as caught:
        Protocol(advanced_stages=frozenset({(Scale.LUDWIG, "IV")}))
    assert caught.value.errors[0].field == "advanced_stages"


@given(st.sampled_from(sorted((s, stage) for s in Scale for stage in SCALES[s].stages)))
def test_is_advanced_is_exactly_membership_in_the_protocol_set(pair):
    scale, stage = pair
    assert is_advanced(scale, stage, Protocol()) == ((scale, stage) in DEFAULT_ADVANCED_STAGES)
    assert PatternStage(scale, stage).description == stage_description(scale, stage)
