"""Monte Carlo runs: chunk layout, workers, interruption, parquet, grids, the command line."""

from __future__ import annotations

import math
import sys

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from oncotrial.cli import app
from oncotrial.errors import InputError
from oncotrial.protocol import load
from oncotrial.sim import load_scenario
from oncotrial.sim.montecarlo import (
    ALIASES,
    Overrides,
    decision_rule,
    run_oc,
    scenario_keys,
    vary,
)


@pytest.fixture(scope="module")
def seed_trial():  # type: ignore[no-untyped-def]
    p = load("nct01010126")
    return p, load_scenario("nct01010126", protocol=p)


def test_same_results_whatever_the_workers(seed_trial) -> None:  # type: ignore[no-untyped-def]
    p, s = seed_trial
    one = run_oc(p, s, trials=900, seed=3, chunk_size=300, workers=1)
    two = run_oc(p, s, trials=900, seed=3, chunk_size=300, workers=2)
    assert one.trials.equals(two.trials)
    assert one.trials["trial"].to_list() == list(range(900))
    # the chunk layout is part of the random streams: the first chunk alone is the same trials
    first = run_oc(p, s, trials=300, seed=3, chunk_size=300)
    assert first.trials.equals(one.trials.head(300))


def test_interrupt_keeps_finished_chunks(seed_trial) -> None:  # type: ignore[no-untyped-def]
    p, s = seed_trial
    calls = []

    def progress(k: int) -> None:
        calls.append(k)
        if len(calls) == 2:
            raise KeyboardInterrupt  # as Ctrl-C during the third chunk's wait

    res = run_oc(p, s, trials=1000, seed=4, chunk_size=250, progress=progress)
    assert not res.complete and res.completed == 500
    full = run_oc(p, s, trials=1000, seed=4, chunk_size=250)
    assert res.trials.equals(full.trials.head(500))


def test_parquet_round_trip_and_summary(seed_trial, tmp_path) -> None:  # type: ignore[no-untyped-def]
    p, s = seed_trial
    res = run_oc(p, s, trials=400, seed=5, chunk_size=200)
    path = res.write_parquet(tmp_path / "oc.parquet")
    assert pl.read_parquet(path).equals(res.trials)
    summary = dict(zip(res.summary["quantity"], res.summary["value"], strict=True))
    # the summary is the per-trial frame's means
    assert summary["P(declared promising)"] == pytest.approx(res.trials["promising"].mean())
    assert summary["ORR"] == pytest.approx(res.trials["orr"].mean())
    # promising needs an endpoint's success and no stop for toxicity before
    t = res.trials
    assert not (t["promising"] & ~(t["success_ORR"] | t["success_PFS6"])).any()
    assert not (t["promising"] & t["stopped_toxicity"]).any()


def test_overrides_match_exact_endpoint_probabilities(seed_trial) -> None:  # type: ignore[no-untyped-def]
    # every patient evaluable and 59 enrolled, so the first 54 evaluable are analysed: with
    # responses drawn with p and 6-month PFS with q, the endpoints succeed with the design's
    # exact probabilities P(Bin(54, p) > 6) and P(Bin(54, q) > 34)
    p, s = seed_trial
    everyone = s.model_copy(update={"evaluability": s.evaluability.model_copy(
        update={"not_evaluable": ()})})  # fmt: skip
    rule = decision_rule(p)
    d = rule.design
    trials = 4000
    for prob, q in ((0.05, 0.7), (0.20, 0.5)):
        res = run_oc(p, everyone, trials=trials, seed=6, chunk_size=2000,
                     overrides=Overrides(p_response=prob, p_pfs=q))  # fmt: skip
        assert (res.trials["analysed"] == 54).all()
        for col, exact in (("success_ORR", d.endpoint_prob(0, prob)),  # type: ignore[union-attr]
                           ("success_PFS6", d.endpoint_prob(1, q))):  # type: ignore[union-attr]  # fmt: skip
            se = math.sqrt(exact * (1 - exact) / trials)
            assert abs(res.trials[col].mean() - exact) <= 3 * se, (col, prob, q)  # type: ignore[operator]


def test_vary_paths_and_aliases(seed_trial) -> None:  # type: ignore[no-untyped-def]
    _, s = seed_trial
    grid = vary(
        s, ["tumour.kd.median_per_year=0.1,0.4", "p_toxicity=0.2", "toxicity.0.per_cycle.3=0.03"]
    )
    assert [g.label for g in grid] == [
        "tumour.kd.median_per_year=0.1, p_toxicity=0.2, toxicity.0.per_cycle.3=0.03",
        "tumour.kd.median_per_year=0.4, p_toxicity=0.2, toxicity.0.per_cycle.3=0.03",
    ]
    assert grid[1].scenario.tumour.kd.median_per_year == 0.4
    assert grid[0].scenario.toxicity[0].per_cycle[3] == 0.03
    assert grid[0].overrides.p_toxicity == 0.2
    assert vary(s, [])[0].scenario == s
    assert ALIASES["kd"] in scenario_keys(s)


def test_vary_unknown_key_lists_valid_ones(seed_trial) -> None:  # type: ignore[no-untyped-def]
    _, s = seed_trial
    with pytest.raises(InputError) as exc:
        vary(s, ["tumour.kd.mean=0.1"])
    text = str(exc.value)
    assert "'tumour.kd.mean' is not a number of the scenario" in text
    assert "p_response" in text and "tumour.kd.median_per_year" in text
    with pytest.raises(InputError, match="must read key=value1,value2"):
        vary(s, ["kd"])
    with pytest.raises(InputError, match="'x' is not a number"):
        vary(s, ["kd=0.1,x"])
    with pytest.raises(InputError, match="less than or equal to 1"):
        vary(s, ["tumour.missed_visit=1.5"])
    with pytest.raises(InputError, match="probability"):
        vary(s, ["p_response=1.5"])


def test_bad_counts_are_input_errors(seed_trial) -> None:  # type: ignore[no-untyped-def]
    p, s = seed_trial
    with pytest.raises(InputError, match="trials"):
        run_oc(p, s, trials=0)


def test_cli_sim_oc(tmp_path) -> None:
    out = tmp_path / "oc.parquet"
    res = CliRunner().invoke(app, ["sim", "oc", "--protocol", "nct01010126", "--scenario",
                                   "nct01010126", "--trials", "200", "--workers", "1",
                                   "--vary", "p_response=0.05,0.3", "--out", str(out)])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "P(declared promising)" in res.output and "p_response=0.3" in res.output
    assert "exact (n=54 evaluable" in res.output
    frame = pl.read_parquet(out)
    assert frame.height == 400 and set(frame["p_response"].unique()) == {0.05, 0.3}
    bad = CliRunner().invoke(app, ["sim", "oc", "--protocol", "nct01010126", "--scenario",
                                   "nct01010126", "--trials", "10", "--vary", "nope=1"])  # fmt: skip
    assert bad.exit_code == 2
    assert "'nope' is not a number of the scenario" in bad.output


@pytest.mark.slow
def test_dask_cluster_gives_the_same_results(seed_trial) -> None:  # type: ignore[no-untyped-def]
    from distributed import Client, LocalCluster

    p, s = seed_trial
    local = run_oc(p, s, trials=600, seed=8, chunk_size=200)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster, Client(cluster) as client:  # fmt: skip
        remote = run_oc(p, s, trials=600, seed=8, chunk_size=200, scheduler=client)
    assert remote.trials.equals(local.trials)
    assert np.isfinite(remote.summary["value"][0])


def test_simon_protocol_end_to_end_matches_exact(seed_trial) -> None:  # type: ignore[no-untyped-def]
    # the bundled Simon example (optimal 1/10, 5/29 for 10% vs 30%; 31 enrolled) run on the
    # seed trial's patients given docetaxel instead, every patient evaluable, responses drawn
    # with p: the share declared promising and the share stopped after stage 1 are the
    # design's exact probabilities (Simon 1989: alpha 0.047, power 0.805, PET0 0.736)
    _, s = seed_trial
    p = load("example_docetaxel_simon")
    tox = tuple(t.model_copy(update={"attributed_to": ("docetaxel",)}) for t in s.toxicity)
    mods = s.dose_modification.model_copy(update={"agents": (
        s.dose_modification.agents[0].model_copy(update={"agent": "docetaxel"}),)})  # fmt: skip
    docetaxel = s.model_copy(update={
        "protocol": None, "toxicity": tox, "dose_modification": mods,
        "evaluability": s.evaluability.model_copy(update={"not_evaluable": ()}),
    })  # fmt: skip
    rule = decision_rule(p)
    trials = 4000
    for prob in (0.1, 0.3):
        res = run_oc(p, docetaxel, trials=trials, seed=9, chunk_size=2000,
                     overrides=Overrides(p_response=prob))  # fmt: skip
        exact = rule.design.oc(prob)  # type: ignore[union-attr]
        for got, want in ((res.trials["promising"].mean(), exact.prob_reject),
                          (res.trials["stopped_futility"].mean(), exact.pet)):  # fmt: skip
            se = math.sqrt(want * (1 - want) / trials)
            assert abs(got - want) <= 3 * se, (prob, got, want)  # type: ignore[operator]


def test_full_path_run_is_simulate_full_per_seed(seed_trial) -> None:  # type: ignore[no-untyped-def]
    # trial i of a full-path run is simulate_trial(seed=seed + i): read back independently
    from oncotrial.sim.montecarlo import estimate, simulate_full

    p, s = seed_trial
    res = run_oc(p, s, trials=2, seed=40, path="full")
    assert res.path == "full" and res.trials["trial"].to_list() == [0, 1]
    rule = decision_rule(p)
    for i in range(2):
        est = estimate(simulate_full(p, s, seed=40 + i), rule)
        row = res.trials.row(i, named=True)
        assert row["responders"] == est.responders[0]
        assert row["pfs_successes"] == est.pfs_successes[0]
        assert row["toxicities"] == est.toxicities[0]
    with pytest.raises(InputError, match="fast path only"):
        run_oc(p, s, trials=1, path="full", overrides=Overrides(p_response=0.1))


def test_unreachable_scheduler_is_an_input_error(seed_trial) -> None:  # type: ignore[no-untyped-def]
    import dask

    p, s = seed_trial
    # port 9 (discard) has no scheduler; a short connect timeout keeps the test fast
    with (
        dask.config.set({"distributed.comm.timeouts.connect": "1s"}),
        pytest.raises(InputError, match="cannot reach the Dask scheduler"),
    ):
        run_oc(p, s, trials=10, scheduler="tcp://127.0.0.1:9")


def test_scheduler_without_dask_says_how_to_install_it(seed_trial, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Dask is the optional extra oncotrial[dask]: without it, --scheduler is a user error that
    # names the extra (a None entry in sys.modules makes `import distributed` fail)
    monkeypatch.setitem(sys.modules, "distributed", None)
    p, s = seed_trial
    with pytest.raises(InputError, match=r"oncotrial\[dask\]"):
        run_oc(p, s, trials=10, scheduler="tcp://127.0.0.1:9")
