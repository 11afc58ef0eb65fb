"""simulate_trial returns a Study built by the SDTM builder, typed as the specs say, whose
relationship columns are the ones ADAE reads."""

import polars as pl

from oncotrial.adam import derive_adam
from oncotrial.protocol import load
from oncotrial.sdtm import Study, ae_relationship_variable, domain_spec
from oncotrial.sim import load_scenario, simulate_trial

PROTOCOL = load("nct01010126")
SCENARIO = load_scenario("nct01010126", protocol=PROTOCOL)


def test_a_study_typed_by_the_specs():
    study = simulate_trial(PROTOCOL, SCENARIO, n_patients=8, seed=3)
    assert isinstance(study, Study)
    for name, frame in study.items():
        spec = domain_spec(name)
        assert spec is not None
        for var, dtype in frame.schema.items():
            if var in spec:
                assert dtype == spec[var].dtype, (name, var)
        # --SEQ: 1, 2, ... within each subject
        if spec.seq is not None:
            seq = frame.group_by("USUBJID").agg(
                (pl.col(spec.seq) == pl.int_range(1, pl.len() + 1)).all().alias("ok")
            )
            assert seq["ok"].all(), name


def test_relationship_columns_are_those_adae_reads():
    study = simulate_trial(PROTOCOL, SCENARIO, n_patients=12, seed=7)
    ae = study["ae"]
    names = [ae_relationship_variable(a.name) for a in PROTOCOL.regimen.agents]
    assert names == ["AERELTEM", "AERELBEV"]
    assert set(names) <= set(ae.columns)
    adae = derive_adam(study, protocol=PROTOCOL)["adae"]
    for i, name in enumerate(names):
        flag = adae[f"AG{i + 1:02d}REL"] == "Y"
        assert (flag == (adae[name] == "RELATED")).all()
