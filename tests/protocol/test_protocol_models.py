"""Bundled protocols express the seed trial, and YAML round trips keep every field."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oncotrial import protocol as proto
from oncotrial.protocol import BsaDose, CoPrimary, FlatDose, SimonTwoStage, WeightDose


def test_bundled_ids():
    assert proto.bundled() == ["example_docetaxel_simon", "nct01010126"]


def test_seed_trial_as_published():
    # Facts from ../shared/domain/nct01010126.md (the publication's abstract).
    p = proto.load("nct01010126")
    assert p.study.nct_number == "NCT01010126"
    assert p.study.planned_enrollment == 59
    assert p.regimen.cycle_length_days == 28
    tem = p.regimen.agent("temsirolimus")
    bev = p.regimen.agent("BEVACIZUMAB")
    assert tem.dose == FlatDose(mg=25) and tem.route == "IV" and tem.days == (1, 8, 15, 22)
    assert bev.dose == WeightDose(per_kg=10) and bev.days == (1, 15)
    assert tem.discontinue_independently and bev.discontinue_independently
    roles = {e.name: e.role for e in p.endpoints}
    assert roles["ORR"] == roles["PFS6"] == "co-primary"
    assert p.endpoint("PFS6").time_point_months == 6
    design = p.statistics.design
    assert isinstance(design, CoPrimary)
    assert {c.endpoint for c in design.components} == {"ORR", "PFS6"}
    assert design.n == 54
    assert p.assessments.imaging.every_weeks == 8


def test_second_protocol_is_different():
    p = proto.load("example_docetaxel_simon")
    (agent,) = p.regimen.agents
    assert isinstance(agent.dose, BsaDose) and agent.dose.bsa_formula == "dubois"
    assert p.regimen.cycle_length_days == 21 and p.regimen.max_cycles == 6
    assert isinstance(p.statistics.design, SimonTwoStage)


def test_imaging_assumption_is_commented_in_the_yaml():
    text = proto.bundled_text("nct01010126")
    line = next(ln for ln in text.splitlines() if "every_weeks: 8" in ln)
    idx = text.splitlines().index(line)
    assert "ASSUMPTION" in "\n".join(text.splitlines()[idx - 3 : idx])


@pytest.mark.parametrize("pid", proto.bundled())
def test_round_trip_bundled(pid, tmp_path):
    p = proto.load(pid)
    assert proto.loads(proto.dumps(p)) == p
    path = tmp_path / f"{pid}.yaml"
    proto.dump(p, path)
    assert proto.load(path) == p
    assert proto.load(str(path)) == p


def test_dump_is_deterministic():
    p = proto.load("nct01010126")
    assert proto.dumps(p) == proto.dumps(proto.loads(proto.dumps(p)))


def test_models_are_frozen():
    p = proto.load("nct01010126")
    with pytest.raises(ValueError, match="frozen"):
        p.study.planned_enrollment = 3  # type: ignore[misc]


def test_json_schema_describes_the_protocol():
    schema = proto.json_schema()
    assert schema["title"] == "oncotrial protocol"
    assert {"study", "regimen", "assessments", "endpoints", "statistics"} <= set(
        schema["properties"]
    )
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) >= {"study", "regimen", "assessments", "endpoints"}


# ---- generated protocols -------------------------------------------------------------------

names = st.sampled_from(["cisplatin", "etoposide", "nivolumab", "olaparib", "bevacizumab"])


@st.composite
def doses(draw):
    kind = draw(st.sampled_from(["mg", "per_kg", "per_m2"]))
    amount = draw(st.floats(0.1, 2000, allow_nan=False).map(lambda x: round(x, 3)))
    if kind == "mg":
        return {"mg": amount}
    if kind == "per_kg":
        return {"per_kg": amount, "weight": draw(st.sampled_from(["baseline", "per_cycle"]))}
    return {"per_m2": amount, "bsa_formula": draw(st.sampled_from(["mosteller", "dubois"]))}


@st.composite
def protocols(draw):
    length = draw(st.sampled_from([7, 14, 21, 28, 42]))
    agent_names = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    agents = []
    for name in agent_names:
        days = sorted(draw(st.sets(st.integers(1, length), min_size=1, max_size=5)))
        dose = draw(doses())
        # reductions: the same kind of dose, each lower than the one before
        kind = next(k for k in ("mg", "per_kg", "per_m2") if k in dose)
        shares = sorted(draw(st.sets(st.sampled_from([0.5, 0.6, 0.75, 0.8]), max_size=2)),
                        reverse=True)  # fmt: skip
        levels = [{**dose, kind: round(dose[kind] * f, 3)} for f in shares]
        levels = [lv for lv in levels if lv[kind] > 0]
        agents.append({
            "name": name,
            "route": draw(st.sampled_from(["IV", "PO", "SC", "IM"])),
            "dose": dose,
            "days": days,
            "dose_levels": [{"level": -(i + 1), "dose": d} for i, d in enumerate(levels)],
            "max_delay_days": draw(st.none() | st.integers(0, 60)),
            "discontinue_independently": draw(st.booleans()),
        })  # fmt: skip
    p0 = draw(st.floats(0.01, 0.5).map(lambda x: round(x, 3)))
    p1 = round(p0 + draw(st.floats(0.05, 0.45)), 3)
    enrol = draw(st.integers(10, 200))
    data = {
        "study": {
            "id": draw(st.text("ABCDEFGHIJ0123456789-", min_size=1, max_size=20)),
            "title": draw(st.text(min_size=1, max_size=40).filter(str.strip)),
            "population": "adults",
            "planned_enrollment": enrol,
        },
        "regimen": {
            "cycle_length_days": length,
            "max_cycles": draw(st.none() | st.integers(1, 24)),
            "agents": agents,
        },
        "assessments": {"imaging": {"every_weeks": draw(st.integers(4, 12))}},
        "endpoints": [
            {"name": "ORR", "label": "Response", "role": "primary", "type": "response_rate"}
        ],
        "statistics": {
            "design": {
                "method": "simon_two_stage",
                "endpoint": "ORR",
                "p0": p0,
                "p1": min(p1, 0.99),
            }
        },
        "term_groups": draw(
            st.dictionaries(
                st.sampled_from(["bleeding", "rash"]),
                st.lists(st.sampled_from(["Fatigue", "Rash acneiform"]), min_size=1, max_size=2),
                max_size=2,
            )
        ),
    }
    return proto.Protocol.model_validate(data)


@given(protocols())
def test_round_trip_generated(p):
    assert proto.loads(proto.dumps(p)) == p


def test_calendar_module_importable_from_package():
    from oncotrial.protocol.calendar import planned_administrations

    adm = planned_administrations(
        proto.load("nct01010126"), start=dt.date(2024, 1, 1), cycles=1, weight_kg=80
    )
    assert adm.height == 6


def test_round_trip_text_with_yaml_line_breaks_and_controls():
    # found by hypothesis: YAML reads NEL (U+0085) as a line break, so a title containing it
    # came back changed until such text was written double-quoted with escapes.
    p = proto.load("nct01010126")
    odd = p.model_copy(
        update={"study": p.study.model_copy(update={"title": "a\x85b \u2028c \x01d café"})}
    )
    assert proto.loads(proto.dumps(odd)) == odd
