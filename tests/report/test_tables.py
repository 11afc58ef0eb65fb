"""CSR tables on one simulated NCT01010126 trial (seed 7): golden text files and key numbers
recomputed here, independently, from the ADaM with polars and oncotrial.stats.

Golden files: ``tests/report/golden/<id>.txt`` hold ``table.to_text()`` of every table. After a
deliberate change, regenerate them with::

    ONCOTRIAL_UPDATE_GOLDEN=1 PYTHONPATH=src python -m pytest tests/report/test_tables.py

and review the diff in the commit. The golden files catch any change; the other tests say
whether the numbers are right.
"""

import os
import re
import warnings
from pathlib import Path

import polars as pl
import pytest

from oncotrial.adam import derive_adam
from oncotrial.errors import InputError
from oncotrial.protocol import load
from oncotrial.report import ReportTable
from oncotrial.report.format import DAYS_PER_MONTH, ci, n_pct
from oncotrial.report.tables import (
    CSR_ORDER,
    SkippedTableWarning,
    ae_by_grade,
    ae_by_soc_pt,
    ae_summary,
    ae_term_groups,
    csr_tables,
    deaths,
    demographics,
    disposition,
    exposure,
    response,
    tabulate_csr,
    time_to_event,
)
from oncotrial.sim import load_scenario, simulate_trial
from oncotrial.stats import clopper_pearson, kaplan_meier

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("ONCOTRIAL_UPDATE_GOLDEN") == "1"
IDS = [table_id for table_id, _ in CSR_ORDER]


@pytest.fixture(scope="module")
def protocol():
    return load("nct01010126")


@pytest.fixture(scope="module")
def adam(protocol):
    scenario = load_scenario("nct01010126", protocol=protocol)
    return derive_adam(simulate_trial(protocol, scenario, seed=7), protocol=protocol)


@pytest.fixture(scope="module")
def tables(adam, protocol) -> dict[str, ReportTable]:
    return {t.id: t for t in csr_tables(adam, protocol)}


def row(table: ReportTable, label: str, group: str | None = None) -> tuple[str, ...]:
    """The values of the only row with this label (and group)."""
    found = [r for r in table.rows if r.label == label and (group is None or r.group == group)]
    assert len(found) == 1, (table.id, label, group, len(found))
    return found[0].values


def after(table: ReportTable, group: str | None, heading: str, label: str) -> tuple[str, ...]:
    """The values of the first row `label` after the row `heading` of `group`."""
    rows = [r for r in table.rows if r.group == group]
    start = next(i for i, r in enumerate(rows) if r.label == heading)
    return next(r for r in rows[start + 1 :] if r.label == label).values


def count(cell: str) -> int:
    """The n of an 'n (xx.x%)' cell."""
    return int(cell.split(" ")[0])


@pytest.mark.parametrize("table_id", IDS)
def test_golden_text(tables, table_id):
    text = tables[table_id].to_text()
    path = GOLDEN / f"{table_id}.txt"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run with ONCOTRIAL_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def test_every_table_in_csr_order_and_reproducible(adam, protocol, tables):
    assert list(tables) == IDS
    again = tabulate_csr(adam, protocol)
    assert again.skipped == ()
    assert [t.to_text() for t in again.tables] == [t.to_text() for t in tables.values()]


def test_big_n_in_headers_from_adsl(adam, tables):
    adsl = adam["adsl"]
    n_saf = adsl.filter(pl.col("SAFFL") == "Y").height
    n_eff = adsl.filter(pl.col("EFFFL") == "Y").height
    n_enr = adsl.filter(pl.col("ENRLFL") == "Y").height
    for table_id in ("dmt01", "ext01", "aet01", "aet04", "dtht01"):
        assert tables[table_id].columns == (f"All patients\n(N={n_saf})",)  # single arm
    for table_id in ("rspt01", "ttet01"):
        assert tables[table_id].columns == (f"All patients\n(N={n_eff})",)
    assert tables["dst01"].columns == (f"All patients\n(N={n_enr})",)
    assert tables["aet02"].columns == tuple(
        f"All patients\n(N={n_saf})\n{band}" for band in ("Any grade", "Grade 3-4", "Grade 5")
    )


def test_grade_3_4_fatigue_counted_directly(adam, tables):
    # patients of the safety population with a treatment-emergent fatigue of grade 3 or 4
    saf = adam["adsl"].filter(pl.col("SAFFL") == "Y")
    fatigue = adam["adae"].filter(
        (pl.col("TRTEMFL") == "Y")
        & (pl.col("AEDECOD") == "Fatigue")
        & pl.col("ATOXGRN").is_between(3, 4)
        & pl.col("USUBJID").is_in(saf["USUBJID"].to_list())
    )
    n = fatigue["USUBJID"].n_unique()
    assert n > 0
    expected = n_pct(n, saf.height)
    assert row(tables["aet02"], "Fatigue")[1] == expected
    assert row(tables["aesi01"], "Any term of the group", "Fatigue")[1] == expected
    # AET04 counts each patient at the highest grade: grade 3-4 there excludes those with a
    # grade 5 fatigue (none: CTCAE allows fatigue grades 1-3 only)
    soc = "General disorders and administration site conditions"
    assert after(tables["aet04"], soc, "Fatigue", "Grade 3-4") == (expected,)


def test_bleeding_group_counts_each_patient_once(adam, tables):
    # a patient with two bleeding terms counts once in the group, once per term
    teae = adam["adae"].filter(pl.col("TRTEMFL") == "Y")
    bleeding = teae.filter(pl.col("CQ03NAM") == "bleeding")
    n_saf = adam["adsl"].filter(pl.col("SAFFL") == "Y").height
    any_grade = row(tables["aesi01"], "Any term of the group", "Bleeding")[0]
    assert any_grade == n_pct(bleeding["USUBJID"].n_unique(), n_saf)
    per_term = sum(
        count(r.values[0]) for r in tables["aesi01"].rows if r.group == "Bleeding" and r.indent == 1
    )
    assert per_term >= count(any_grade)


def test_aet04_grades_add_up_to_any_grade(tables):
    # property: each patient has exactly one highest grade per term, so grades 1..5 add up
    rows = tables["aet04"].rows
    for i, r in enumerate(rows):
        if r.label != "- Any Grade -":
            continue
        total = 0
        for follow in rows[i + 1 :]:
            if follow.indent == 0 or follow.group != r.group or follow.label == "- Any Grade -":
                break  # the next term, SOC or block
            if follow.label.isdigit() or follow.label == "Grade 5":
                total += count(follow.values[0])
        assert total == count(r.values[0]), (r.group, i)


def test_aet02_sorted_by_frequency_then_alphabetically(tables):
    terms = [r for r in tables["aet02"].rows if r.group is not None and "Total" not in r.label]
    by_soc: dict[str, list[tuple[int, str]]] = {}
    for r in terms:
        by_soc.setdefault(r.group, []).append((-count(r.values[0]), r.label))
    for soc, keys in by_soc.items():
        assert keys == sorted(keys), soc


def test_orr_and_bor(adam, tables):
    eff = adam["adsl"].filter(pl.col("EFFFL") == "Y").select("USUBJID")
    cbor = adam["adrs"].filter(pl.col("PARAMCD") == "CBOR").join(eff, on="USUBJID")
    k = cbor.filter(pl.col("AVALC").is_in(["CR", "PR"])).height
    res = clopper_pearson(k, eff.height)
    table = tables["rspt01"]
    assert row(table, "Responders (CR + PR)") == (n_pct(k, eff.height),)
    ci_rows = [r for r in table.rows if r.label == "95% CI (Clopper-Pearson)"]
    assert ci_rows[0].values == (ci(res.lower, res.upper, 1, scale=100),)
    # by hand for this trial, 2 of 52: lower = qbeta(0.025, 2, 51) = 0.004692, upper =
    # qbeta(0.975, 3, 50) = 0.1321 (scipy.stats.beta.ppf), i.e. (0.5%, 13.2%)
    assert (k, eff.height) == (2, 52)
    assert ci_rows[0].values == ("(0.5, 13.2)",)
    # the best-response categories add up to N (Missing includes patients without a record)
    bor_rows = [r for r in table.rows if r.indent == 1 and "CI" not in r.label]
    assert sum(count(r.values[0]) for r in bor_rows) == eff.height


def test_pfs_median_and_landmark_from_stats(adam, tables):
    eff = adam["adsl"].filter(pl.col("EFFFL") == "Y").select("USUBJID")
    pfs = adam["adtte"].filter(pl.col("PARAMCD") == "PFS").join(eff, on="USUBJID")
    fit = kaplan_meier(pfs["AVAL"].to_numpy(), (pfs["CNSR"] == 0).to_numpy(), conf_type="log")
    group = "Progression Free Survival (PFS)"
    med = fit.median
    assert row(tables["ttet01"], "Median", group) == (f"{med.time / DAYS_PER_MONTH:.1f}",)
    lm = fit.survival_at(6 * DAYS_PER_MONTH)
    assert row(tables["ttet01"], "Event-free rate (%)", group) == (f"{100 * lm.surv[0]:.1f}",)
    events = pfs.filter(pl.col("CNSR") == 0).height
    assert row(tables["ttet01"], "Patients with event", group) == (n_pct(events, eff.height),)


def test_exposure_median_duration(adam, tables):
    saf = adam["adsl"].filter(pl.col("SAFFL") == "Y").select("USUBJID")
    for agent in ("temsirolimus", "bevacizumab"):
        durm = (
            adam["adex"]
            .filter((pl.col("PARCAT1") == agent) & (pl.col("PARAMCD") == "DURM"))
            .join(saf, on="USUBJID")
        )
        cell = after(
            tables["ext01"], agent.capitalize(), "Treatment duration (months)", "Median (range)"
        )[0]
        median = float(re.match(r"([\d.]+) \(", cell).group(1))
        assert median == pytest.approx(durm["AVAL"].median(), abs=0.05)


def test_disposition_reasons_add_up_per_agent(adam, tables):
    table = tables["dst01"]
    for i, agent in enumerate(("temsirolimus", "bevacizumab")):
        group = f"Treatment with {agent}"
        reasons = [r for r in table.rows if r.group == group and r.indent == 1]
        discontinued = count(row(table, "Discontinued", group)[0])
        assert sum(count(r.values[0]) for r in reasons) == discontinued
        direct = adam["adsl"].filter(pl.col(f"AG0{i + 1}EOT") == "DISCONTINUED").height
        assert discontinued == direct


def test_deaths_on_study(adam, protocol, tables):
    saf = adam["adsl"].filter((pl.col("SAFFL") == "Y") & pl.col("DTHDT").is_not_null())
    window = protocol.assessments.follow_up.end_of_treatment_visit_days
    on_study = saf.filter((pl.col("DTHDT") - pl.col("TRTEDT")).dt.total_days() <= window)
    n_saf = adam["adsl"].filter(pl.col("SAFFL") == "Y").height
    assert row(tables["dtht01"], f"On study (<= {window} days after the last dose)") == (
        n_pct(on_study.height, n_saf),
    )
    related = saf.filter(pl.col("DTHRELFL") == "Y").height
    assert row(tables["dtht01"], "Related to study treatment") == (n_pct(related, n_saf),)


def test_demographics_age_mean(adam, tables):
    age = adam["adsl"].filter(pl.col("SAFFL") == "Y")["AGE"]
    mean_cell = row(tables["dmt01"], "Mean (SD)", "Age (years)")
    assert mean_cell[0].startswith(f"{age.mean():.1f} (")  # not a half: plain formatting agrees


def test_missing_dataset_is_an_input_error_or_a_skip(adam, protocol):
    without = {k: v for k, v in adam.items() if k != "adrs"}
    with pytest.raises(InputError, match=r"ADRS: is needed by table rspt01"):
        response(without, protocol)
    with pytest.warns(SkippedTableWarning, match="rspt01 skipped"):
        made = csr_tables(without, protocol)
    # without ADRS there is no response table, nor the investigator-vs-derived concordance
    ids = [t.id for t in made]
    assert "rspt01" not in ids and "rsct01" not in ids and len(made) == len(IDS) - 2


def test_missing_variable_names_it(adam, protocol):
    adae = adam["adae"].drop("ATOXGRN")
    with pytest.raises(InputError, match=r"ADAE.ATOXGRN: is needed by table aet04"):
        ae_by_grade({**adam, "adae": adae}, protocol)
    # the other AE tables drop their grade columns instead
    table = ae_by_soc_pt({**adam, "adae": adae}, protocol)
    assert len(table.columns) == 1
    adsl = adam["adsl"].drop("EFFFL")
    with pytest.raises(InputError, match=r"ADSL.EFFFL"):
        time_to_event({**adam, "adsl": adsl}, protocol)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for make in (
            demographics,
            disposition,
            exposure,
            ae_summary,
            ae_term_groups,
            deaths,
        ):
            make(adam, protocol)  # no warning on complete input


@pytest.mark.parametrize("fmt", ["parquet", "csv", "xpt", "json"])
def test_same_tables_from_adam_read_back(adam, protocol, tables, tmp_path, fmt):
    # `oncotrial report --adam DIR` reads ADaM from files, where integers may come back as
    # floats (ATOXGRN) and dates as text: the tables must not change
    from oncotrial.adam import read_adam, write_adam

    write_adam(adam, tmp_path / "adam", format=fmt)
    again = {t.id: t.to_text() for t in csr_tables(read_adam(tmp_path / "adam"), protocol)}
    assert again == {t.id: t.to_text() for t in tables.values()}


def test_readme_shows_the_demo_first_table():
    # the README's DST01 is the demo's (seed 7): kept equal to the golden file
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert (GOLDEN / "dst01.txt").read_text() in readme
