"""derive_adam takes a Study; a mapping of frames is conformed to the specs at the boundary."""

import polars as pl

from oncotrial.adam import derive_adam
from oncotrial.protocol import load
from oncotrial.sdtm import Study

from .seed_study import seed_study

SEED = load("nct01010126")


def test_a_mapping_is_conformed_as_a_study_would_be():
    frames = seed_study()
    assert frames["dm"].schema["AGE"] == pl.Int64  # as the test data were typed
    from_mapping = derive_adam(frames, protocol=SEED)
    from_study = derive_adam(Study.from_frames(frames), protocol=SEED)
    assert from_mapping.keys() == from_study.keys()
    for name, frame in from_mapping.items():
        assert frame.equals(from_study[name]), name
    # AGE is Num in the SDTMIG: Float64 once conformed, 61 -> 61.0
    adsl = from_mapping["adsl"].sort("USUBJID")
    assert adsl.schema["AGE"] == pl.Float64
    assert adsl["AGE"].to_list() == [61.0, 55.0, 70.0, 66.0]
