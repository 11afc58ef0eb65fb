"""Kaplan-Meier, quantiles, landmarks, restricted mean, follow-up and log-rank against R.

Source of every expected value: the CSV files in tests/data/r_survival, produced by
``Rscript tests/data/r_survival/make_reference.R`` with R 4.2.2 Patched and survival 3.5.3
on R's data sets aml, lung (status recoded 0/1, groups sex and age >= 65) and veteran, plus the
small constructed data sets defined in that script. The R call behind each file:

- km_table.csv:          survfit(Surv(time, status) ~ 1 or ~ group, conf.type=, conf.int=)
- km_quantile.csv:       quantile(fit, c(.1, .25, .5, .75, .9))
- km_summary_times.csv:  summary(fit, times = ..., extend = TRUE)
- km_print_table.csv:    summary(fit, rmean = "individual" or tau)$table (print.survfit's table)
- km_followup.csv:       quantile(survfit(Surv(time, 1 - status) ~ ...), 0.5)
- survdiff*.csv:         survdiff(Surv(time, status) ~ group [+ strata(s)])
Tolerance: 1e-10 relative (1e-13 absolute near 0).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from conftest import assert_close, read_input, read_ref
from oncotrial.stats import SurvivalQuantile, kaplan_meier, logrank_test, median_follow_up

MODELS = read_ref("km_models.csv")
IDS = [str(m["model"]) for m in MODELS]


def _rows(name: str) -> dict[tuple[str, str], list[dict[str, object]]]:
    out: dict[tuple[str, str], list[dict[str, object]]] = defaultdict(list)
    for row in read_ref(name):
        out[(str(row["model"]), str(row["group"]))].append(row)
    return out


def _curves(model: dict[str, object]):
    data = read_input(str(model["dataset"]))
    kw = {"conf_type": model["conf_type"], "conf_level": float(model["conf_level"])}
    if model["by"] == "TRUE":
        fits = kaplan_meier(data["time"], data["status"], by=data["group"], **kw)
        return [(str(label), curve) for label, curve in fits]
    return [("", kaplan_meier(data["time"], data["status"], **kw))]


def _col(rows, name):
    return np.array([r[name] for r in rows], dtype=np.float64)


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_survfit_table(model):
    ref = _rows("km_table.csv")
    for group, fit in _curves(model):
        rows = ref[(str(model["model"]), group)]
        assert rows, f"no R rows for {model['model']} {group}"
        for name in ("time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper"):
            assert_close(getattr(fit, name), _col(rows, name), what=f"{group} {name}")


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_quantiles(model):
    ref = _rows("km_quantile.csv")
    for group, fit in _curves(model):
        rows = ref[(str(model["model"]), group)]
        q = fit.quantile(_col(rows, "prob"))
        assert_close(q.time, _col(rows, "quantile"), what=f"{group} quantile")
        assert_close(q.lower, _col(rows, "lower"), what=f"{group} lower")
        assert_close(q.upper, _col(rows, "upper"), what=f"{group} upper")


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_landmarks(model):
    ref = _rows("km_summary_times.csv")
    for group, fit in _curves(model):
        rows = ref[(str(model["model"]), group)]
        res = fit.survival_at(_col(rows, "time"))
        for name in ("time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper"):
            assert_close(getattr(res, name), _col(rows, name), what=f"{group} {name}")


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_print_table_rmean_and_median(model):
    ref = _rows("km_print_table.csv")
    for group, fit in _curves(model):
        rows = ref[(str(model["model"]), group)]
        assert len(rows) == 2
        for row in rows:
            tau = None if np.isnan(row["tau"]) else float(row["tau"])
            rm = fit.rmst(tau)
            assert_close(rm.rmean, row["rmean"], what=f"{group} rmean tau={tau}")
            assert_close(rm.std_err, row["se_rmean"], what=f"{group} se(rmean) tau={tau}")
            assert fit.n == row["records"]
            assert fit.n_event.sum() == row["events"]
            med = fit.print_median  # print.survfit's own rule (quantile's is tested above)
            got = [np.nan if v is None else v for v in (med.time, med.lower, med.upper)]
            assert_close(got, [row["median"], row["lcl"], row["ucl"]], what=f"{group} median")


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_reverse_km_follow_up(model):
    ref = _rows("km_followup.csv")
    data = read_input(str(model["dataset"]))
    kw = {"conf_type": model["conf_type"], "conf_level": float(model["conf_level"])}
    if model["by"] == "TRUE":
        frame = median_follow_up(data["time"], data["status"], by=data["group"], **kw)
        pairs = [
            (row["group"], SurvivalQuantile(0.5, row["time"], row["lower"], row["upper"]))
            for row in frame.iter_rows(named=True)
        ]
    else:
        pairs = [("", median_follow_up(data["time"], data["status"], **kw))]
    for group, q in pairs:
        (row,) = ref[(str(model["model"]), group)]
        got = [np.nan if v is None else v for v in (q.time, q.lower, q.upper)]
        assert_close(got, [row["median"], row["lower"], row["upper"]], what=f"{group}")


LOGRANK = {
    "aml": ("aml", "group", None),
    "lung": ("lung", "group", None),
    "lung_strat": ("lung", "group", "strat"),
    "veteran": ("veteran", "group", None),
    "veteran_trt": ("veteran", "trt", None),
    "veteran_trt_strat": ("veteran", "trt", "group"),
}


@pytest.mark.parametrize("test", list(LOGRANK))
def test_survdiff(test):
    dataset, group, strata = LOGRANK[test]
    data = read_input(dataset)
    res = logrank_test(
        data["time"], data["status"], data[group], strata=None if strata is None else data[strata]
    )
    (ref,) = [r for r in read_ref("survdiff.csv") if r["test"] == test]
    assert_close(res.chisq, ref["chisq"], what="chisq")
    assert res.df == ref["df"]
    assert_close(res.p_value, ref["p"], rtol=1e-9, what="p")
    groups = [r for r in read_ref("survdiff_groups.csv") if r["test"] == test]
    assert [r["group"] for r in groups] == list(res.groups)
    assert_close(res.n, _col(groups, "n"), what="n")
    assert_close(res.observed, _col(groups, "observed"), what="observed")
    assert_close(res.expected, _col(groups, "expected"), what="expected")
    assert_close(np.diag(res.variance), _col(groups, "var_diag"), what="var")
