"""RECIST 1.1 engine at scale: time-point responses and best response for simulated TU/TR.

Each subject has 3 target lesions (one a lymph node), 2 non-target lesions and 8 visits (a
baseline and 7 assessments, every 56 days); diameters follow a per-subject log-linear growth
rate with measurement noise, about 2% of measurements are missing, and an unequivocal new
lesion appears at a visit with probability 2%. The data are built with numpy and polars (no
Python loop over subjects). Timed: ``derive_timepoint_responses`` (validation included) and
``derive_best_response`` on its output, for 1e4 and 1e5 subjects; the ratio of the times shows
whether the work grows linearly with the subjects (ideal 10).
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import polars as pl

from oncotrial.recist import derive_best_response, derive_timepoint_responses

N_VISITS = 8
N_TARGET = 3
N_NON_TARGET = 2
START = dt.date(2024, 1, 1)


def simulate(n: int, rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """TU, TR and ADSL for `n` subjects (vectorised)."""
    ids = np.char.add("S-", np.arange(n).astype(str))
    # TU: targets T1..T3 (T3 a lymph node), non-targets NT1..NT2
    links = [f"T{i + 1}" for i in range(N_TARGET)] + [f"NT{i + 1}" for i in range(N_NON_TARGET)]
    roles = ["TARGET"] * N_TARGET + ["NON-TARGET"] * N_NON_TARGET
    locs = ["LIVER", "LUNG", "LYMPH NODE", "BONE", "PLEURA"]
    k = len(links)
    tu = pl.DataFrame(
        {
            "STUDYID": "BENCH",
            "USUBJID": np.repeat(ids, k),
            "TULNKID": np.tile(links, n),
            "TUSTRESC": np.tile(roles, n),
            "TULOC": np.tile(locs, n),
        }
    )
    # target diameters: subject, visit, lesion
    rate = rng.normal(-0.05, 0.15, size=(n, 1, 1))
    base = rng.uniform(15, 60, size=(n, 1, N_TARGET))
    visit = np.arange(N_VISITS).reshape(1, N_VISITS, 1)
    noise = rng.normal(0, 0.05, size=(n, N_VISITS, N_TARGET))
    diam = np.round(base * np.exp(rate * visit + noise * (visit > 0)), 1)
    diam[diam < 4] = 0.0
    missing = (rng.random(diam.shape) < 0.02) & (visit > 0)
    values = np.where(missing, np.nan, diam).ravel()
    tr_target = pl.DataFrame(
        {
            "USUBJID": np.repeat(ids, N_VISITS * N_TARGET),
            "VISITNUM": np.tile(np.repeat(np.arange(1, N_VISITS + 1), N_TARGET), n),
            "TRLNKID": np.tile([f"T{i + 1}" for i in range(N_TARGET)], n * N_VISITS),
            "TRTESTCD": np.tile(["LDIAM", "LDIAM", "LPERP"], n * N_VISITS),
            "TRSTRESN": values,
        }
    ).with_columns(pl.col("TRSTRESN").fill_nan(None), pl.lit(None, pl.String).alias("TRSTRESC"))
    # non-target states follow the subject's trend
    u = rng.random((n, N_VISITS, N_NON_TARGET))
    trend = np.broadcast_to(rate, u.shape)
    state = np.where(
        (trend > 0.15) & (u < 0.3) & (visit > 2),
        "UNEQUIVOCAL PROGRESSION",
        np.where((trend < -0.15) & (u < 0.5) & (visit > 0), "ABSENT", "PRESENT"),
    )
    tr_nt = pl.DataFrame(
        {
            "USUBJID": np.repeat(ids, N_VISITS * N_NON_TARGET),
            "VISITNUM": np.tile(np.repeat(np.arange(1, N_VISITS + 1), N_NON_TARGET), n),
            "TRLNKID": np.tile([f"NT{i + 1}" for i in range(N_NON_TARGET)], n * N_VISITS),
            "TRTESTCD": "TUMSTATE",
            "TRSTRESN": None,
            "TRSTRESC": state.ravel(),
        }
    ).with_columns(pl.col("TRSTRESN").cast(pl.Float64))
    # new lesions: first visit with a draw < 2% (after baseline)
    new_at = rng.random((n, N_VISITS)) < 0.02
    new_at[:, 0] = False
    has_new = new_at.any(axis=1)
    first_new = new_at.argmax(axis=1)[has_new] + 1
    new_ids = ids[has_new]
    tu_new = pl.DataFrame(
        {
            "STUDYID": "BENCH",
            "USUBJID": new_ids,
            "TULNKID": "NEW1",
            "TUSTRESC": "NEW",
            "TULOC": "BRAIN",
        }
    )
    tr_new = pl.DataFrame(
        {
            "USUBJID": new_ids,
            "VISITNUM": first_new,
            "TRLNKID": "NEW1",
            "TRTESTCD": "TUMSTATE",
            "TRSTRESN": None,
            "TRSTRESC": "UNEQUIVOCAL",
        }
    ).with_columns(pl.col("TRSTRESN").cast(pl.Float64), pl.col("VISITNUM").cast(pl.Int64))
    tr = pl.concat([tr_target, tr_nt, tr_new], how="vertical_relaxed").with_columns(
        pl.lit("BENCH").alias("STUDYID"),
        pl.col("VISITNUM").cast(pl.Float64),
        pl.when(pl.col("VISITNUM") == 1)
        .then(pl.lit("BASELINE"))
        .otherwise(pl.format("WEEK {}", (pl.col("VISITNUM").cast(pl.Int64) - 1) * 8))
        .alias("VISIT"),
        (pl.lit(START) + pl.duration(days=(pl.col("VISITNUM").cast(pl.Int64) - 1) * 56))
        .dt.to_string("%Y-%m-%d")
        .alias("TRDTC"),
    )
    adsl = pl.DataFrame({"STUDYID": "BENCH", "USUBJID": ids, "TRTSDT": START + dt.timedelta(1)})
    return pl.concat([tu, tu_new]), tr, adsl


def _time(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> str:
    rng = np.random.default_rng(20241125)
    rows = []
    times: dict[int, tuple[float, float]] = {}
    for n, repeat in [(10_000, 3), (100_000, 1)]:
        tu, tr, adsl = simulate(n, rng)
        tp = derive_timepoint_responses(tu, tr)
        t_tp = _time(lambda tu=tu, tr=tr: derive_timepoint_responses(tu, tr), repeat)
        t_bor = _time(lambda tp=tp, adsl=adsl: derive_best_response(tp, dataset_adsl=adsl), repeat)
        times[n] = (t_tp, t_bor)
        counts = tp["OVRLRESP"].value_counts().sort("OVRLRESP")
        mix = ", ".join(f"{r} {c}" for r, c in counts.iter_rows())
        rows.append(
            f"| {n:,} | {tr.height:,} | {tp.height:,} | {t_tp:.2f} | {t_bor:.2f} | "
            f"{tr.height / t_tp / 1e6:.2f} |"
        )
        print(f"n={n}: OVRLRESP mix: {mix}", flush=True)
    ratio_tp = times[100_000][0] / times[10_000][0]
    ratio_bor = times[100_000][1] / times[10_000][1]
    return "\n".join(
        [
            "## RECIST 1.1 engine (`oncotrial.recist`)",
            "",
            "Simulated subjects with 3 target lesions (one nodal), 2 non-target lesions and 8 "
            "visits; `derive_timepoint_responses` includes the TU/TR validation. Best of 3 "
            "runs at 1e4 subjects, 1 run at 1e5.",
            "",
            "| subjects | TR records | visit responses | time-point responses (s) | "
            "BOR + CBOR (s) | TR records per s (millions) |",
            "| --- | --- | --- | --- | --- | --- |",
            *rows,
            "",
            f"Ratio 1e5 / 1e4 subjects: time-point responses {ratio_tp:.1f}, BOR {ratio_bor:.1f} "
            "(10 = linear).",
        ]
    )


if __name__ == "__main__":
    print(main())
