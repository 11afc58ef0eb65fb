"""The protocol's dose_modifications section: the bundled rules, and bad rules as clear errors.

Each bad case edits the bundled NCT01010126 YAML in one place, as test_protocol_errors does;
the expected line is found in the edited text.
"""

from pathlib import Path

import pytest

from oncotrial import protocol as proto
from oncotrial.errors import ProtocolError

BASE = proto.bundled_text("nct01010126")


def edit(old: str, new: str) -> str:
    assert BASE.count(old) >= 1, old
    return BASE.replace(old, new, 1)


def line_of(text: str, snippet: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), start=1) if snippet in ln)


def load_error(text: str, tmp_path: Path) -> ProtocolError:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ProtocolError) as info:
        proto.load(path)
    return info.value


def test_bundled_rules_read_as_written():
    p = proto.load("nct01010126")
    rules = p.dose_modifications
    assert [r.agent for r in rules] == ["temsirolimus"] * 2 + ["bevacizumab"] * 6
    # every rule of the seed trial is an assumption: the abstract gives none
    assert all(r.note is not None and r.note.startswith("ASSUMPTION") for r in rules)
    assert rules[1].describe() == (
        "temsirolimus: grade 3-4 any toxicity -> hold until grade <= 2, then one dose level lower"
    )
    assert rules[6].describe() == (
        "bevacizumab: grade 3 hypertension (group) -> hold until grade <= 1, then resume"
    )
    assert rules[2].describe() == "bevacizumab: grade >= 1 bowel_perforation (group) -> discontinue"
    assert proto.loads(proto.dumps(p)) == p
    # each toxicity rule counts its own events, as data
    assert [
        (r.label, [(c.term_group, c.min_grade) for c in r.count])
        for r in p.statistics.toxicity_rules
    ] == [("bowel perforation", [("bowel_perforation", 4)]), ("bleeding", [("bleeding", 3)])]


def test_hold_without_resume_grade(tmp_path):
    text = edit("    action: hold\n    resume_at_grade: 1\n", "    action: hold\n")
    err = load_error(text, tmp_path)
    assert err.path == "dose_modifications[4]"
    assert "give resume_at_grade" in err.message


def test_resume_grade_not_below_min_grade(tmp_path):
    text = edit(
        "    action: reduce\n    resume_at_grade: 2\n",
        "    action: reduce\n    resume_at_grade: 3\n",
    )
    err = load_error(text, tmp_path)
    assert err.path == "dose_modifications[1]"
    assert "must be below min_grade (3)" in err.message


def test_unknown_action_lists_the_choices(tmp_path):
    text = edit("    action: reduce\n", "    action: lower\n")
    err = load_error(text, tmp_path)
    assert err.path == "dose_modifications[1].action"
    assert err.line == line_of(text, "action: lower")
    assert "'hold', 'reduce' or 'discontinue'" in err.message


def test_grade_out_of_range(tmp_path):
    text = edit(
        "    term: Pneumonitis\n    min_grade: 3\n", "    term: Pneumonitis\n    min_grade: 6\n"
    )
    err = load_error(text, tmp_path)
    assert err.path == "dose_modifications[0].min_grade"
    assert err.line == line_of(text, "min_grade: 6")


def test_term_and_group_together(tmp_path):
    text = edit("    term: Proteinuria\n", "    term: Proteinuria\n    term_group: bleeding\n")
    err = load_error(text, tmp_path)
    assert err.path == "dose_modifications[7]"
    assert "not both" in err.message


def test_unknown_agent_names_the_rule_and_the_agents(tmp_path):
    text = edit(
        "  - agent: temsirolimus\n    term: Pneumonitis",
        "  - agent: sirolimus\n    term: Pneumonitis",
    )
    err = load_error(text, tmp_path)
    assert "dose_modifications[0]: agent 'sirolimus' is not in the regimen" in err.message
    assert "temsirolimus, bevacizumab" in err.message


def test_reduce_needs_dose_levels(tmp_path):
    text = edit(
        "  - agent: bevacizumab\n    term: Proteinuria\n    min_grade: 2\n    max_grade: 3\n"
        "    action: hold\n",
        "  - agent: bevacizumab\n    term: Proteinuria\n    min_grade: 2\n    max_grade: 3\n"
        "    action: reduce\n",
    )
    err = load_error(text, tmp_path)
    assert "dose_modifications[7]: bevacizumab has no dose_levels" in err.message


def test_monitored_toxicity_needs_one_of_term_or_group(tmp_path):
    text = edit("count: [{term_group: bleeding, min_grade: 3}]", "count: [{min_grade: 3}]")
    err = load_error(text, tmp_path)
    # a list of rules: the error of the list's item, after the one-rule reading's (a mapping)
    assert "statistics.toxicity_monitoring[1].count[0]: give exactly one of term or " \
        "term_group" in str(err)
