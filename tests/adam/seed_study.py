"""A four-patient SDTM study of the NCT01010126 protocol, built by hand for end-to-end tests.

Day 1 (first dose) is 2024-01-08 for everyone dosed. What happens, by patient:

- P1: both agents for 4 months; target sum 50 -> 40 (week 8, SD) -> 50 (week 16, +25% from
  the nadir 40 and +10 mm: PD); both agents end for progression on day 113; grade 3 fatigue
  related to temsirolimus.
- P2: target sum 50 -> 30 (week 8, -40%: PR) -> 28 (week 16, PR, confirmed); temsirolimus
  stopped for an adverse event (grade 3 hypertension? no: grade 2 mucositis) on day 36,
  bevacizumab ongoing.
- P3: enrolled, never dosed (withdrew): not in the safety or evaluable population.
- P4: dosed once, died on day 20 of a grade 5 small intestinal perforation (both agents).
"""

import datetime as dt

import polars as pl

STUDY = "NCT01010126"
D1 = dt.date(2024, 1, 8)


def day(n: int) -> str:
    """ISO date of study day n (day 1 = D1; no day 0)."""
    return (D1 + dt.timedelta(days=n - 1 if n > 0 else n)).isoformat()


def _frame(domain: str, rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame([{"STUDYID": STUDY, "DOMAIN": domain, **r} for r in rows],
                        infer_schema_length=None)  # fmt: skip


def seed_study() -> dict[str, pl.DataFrame]:
    subj = ["P1", "P2", "P3", "P4"]
    dm = _frame("DM", [
        {"USUBJID": u, "SUBJID": u[1:], "SITEID": "01", "AGE": a, "AGEU": "YEARS", "SEX": s,
         "ARMCD": "TEMBEV", "ARM": "Temsirolimus + bevacizumab", "ACTARMCD": act, "ACTARM": act,
         "COUNTRY": "USA", "RFICDTC": day(-20), "RFSTDTC": day(1) if u != "P3" else None,
         "RFXSTDTC": day(1) if u != "P3" else None, "RFPENDTC": day(200),
         "DTHDTC": day(20) if u == "P4" else None, "DTHFL": "Y" if u == "P4" else None}
        for u, a, s, act in zip(subj, [61, 55, 70, 66], ["F", "M", "F", "M"],
                                ["TEMBEV", "TEMBEV", "NOTTRT", "TEMBEV"], strict=True)
    ])  # fmt: skip
    ex_rows = []

    def dose(u: str, agent: str, d: int, mg: float) -> None:
        cyc = (d - 1) // 28 + 1
        ex_rows.append({"USUBJID": u, "EXSEQ": len(ex_rows) + 1, "EXTRT": agent, "EXDOSE": mg,
                        "EXDOSU": "mg", "EXROUTE": "INTRAVENOUS", "EXSTDTC": day(d),
                        "EXENDTC": day(d), "VISIT": f"CYCLE {cyc} DAY {d - 28 * (cyc - 1)}"})  # fmt: skip

    for d in range(1, 113, 7):  # P1 temsirolimus weekly to day 106; bevacizumab every 2 weeks
        dose("P1", "temsirolimus", d, 25)
    for d in range(1, 113, 14):
        dose("P1", "bevacizumab", d, 700)
    for d in (1, 8, 15, 22, 29):  # P2 temsirolimus stopped after day 29
        dose("P2", "temsirolimus", d, 25)
    for d in range(1, 170, 14):
        dose("P2", "bevacizumab", d, 800)
    dose("P4", "temsirolimus", 1, 25)
    dose("P4", "bevacizumab", 1, 650)
    ex = _frame("EX", ex_rows)
    ds = _frame("DS", [
        {"USUBJID": "P1", "DSSEQ": 1, "DSCAT": "DISPOSITION EVENT",
         "DSSCAT": "END OF TREATMENT - TEMSIROLIMUS", "DSTERM": "PROGRESSIVE DISEASE",
         "DSDECOD": "PROGRESSIVE DISEASE", "DSSTDTC": day(113)},
        {"USUBJID": "P1", "DSSEQ": 2, "DSCAT": "DISPOSITION EVENT",
         "DSSCAT": "END OF TREATMENT - BEVACIZUMAB", "DSTERM": "PROGRESSIVE DISEASE",
         "DSDECOD": "PROGRESSIVE DISEASE", "DSSTDTC": day(113)},
        {"USUBJID": "P2", "DSSEQ": 1, "DSCAT": "DISPOSITION EVENT",
         "DSSCAT": "END OF TREATMENT - TEMSIROLIMUS", "DSTERM": "MUCOSITIS",
         "DSDECOD": "ADVERSE EVENT", "DSSTDTC": day(36)},
        {"USUBJID": "P3", "DSSEQ": 1, "DSCAT": "DISPOSITION EVENT", "DSSCAT": "END OF STUDY",
         "DSTERM": "WITHDREW CONSENT", "DSDECOD": "WITHDRAWAL BY SUBJECT", "DSSTDTC": day(-2)},
        {"USUBJID": "P4", "DSSEQ": 1, "DSCAT": "DISPOSITION EVENT", "DSSCAT": "END OF STUDY",
         "DSTERM": "DEATH", "DSDECOD": "DEATH", "DSSTDTC": day(20)},
    ])  # fmt: skip
    ae = _frame("AE", [
        {"USUBJID": "P1", "AESEQ": 1, "AETERM": "TIREDNESS", "AEDECOD": "Fatigue",
         "AETOXGR": "3", "AESER": "N", "AEOUT": "RECOVERED/RESOLVED", "AESTDTC": day(20),
         "AEENDTC": day(30), "AERELTEM": "RELATED",
         "AERELBEV": "NOT RELATED"},
        {"USUBJID": "P2", "AESEQ": 1, "AETERM": "MOUTH SORES", "AEDECOD": "Mucositis oral",
         "AETOXGR": "2", "AESER": "N", "AEOUT": "RECOVERED/RESOLVED", "AESTDTC": day(30),
         "AEENDTC": day(45), "AERELTEM": "RELATED",
         "AERELBEV": "NOT RELATED"},
        {"USUBJID": "P4", "AESEQ": 1, "AETERM": "BOWEL PERFORATION",
         "AEDECOD": "Small intestinal perforation", "AETOXGR": "5", "AESER": "Y",
         "AEOUT": "FATAL", "AESTDTC": day(18), "AEENDTC": day(20),
         "AERELTEM": "POSSIBLY RELATED", "AERELBEV": "PROBABLY RELATED"},
    ])  # fmt: skip
    vs = _frame("VS", [
        {"USUBJID": u, "VSSEQ": 1, "VSTESTCD": "WEIGHT", "VSTEST": "Weight", "VSORRES": str(w),
         "VSORRESU": "kg", "VSSTRESC": str(w), "VSSTRESN": w, "VSSTRESU": "kg",
         "VISIT": "SCREENING", "VISITNUM": 1.0, "VSDTC": day(-7)}
        for u, w in (("P1", 70.0), ("P2", 80.0), ("P3", 60.0), ("P4", 65.0))
    ])  # fmt: skip
    visits = [("SCREENING", 1.0, -7), ("WEEK 8", 2.0, 57), ("WEEK 16", 3.0, 113)]
    tu_rows, tr_rows, rs_rows = [], [], []
    sums = {"P1": ((30, 20), (24, 16), (30, 20)), "P2": ((30, 20), (18, 12), (17, 11)),
            "P3": ((25, 15),), "P4": ((40, 20),)}  # fmt: skip
    for u, per_visit in sums.items():
        for k, loc in enumerate(("LIVER", "LUNG")):
            tu_rows.append({"USUBJID": u, "TUSEQ": k + 1, "TULNKID": f"T{k + 1:02d}",
                            "TUTESTCD": "TUMIDENT", "TUTEST": "Tumor Identification",
                            "TUORRES": "TARGET", "TUSTRESC": "TARGET", "TULOC": loc,
                            "TUEVAL": "INVESTIGATOR", "VISIT": "SCREENING", "VISITNUM": 1.0,
                            "TUDTC": day(-7)})  # fmt: skip
        for (visit, num, d), sizes in zip(visits, per_visit, strict=False):
            for k, size in enumerate(sizes):
                tr_rows.append({"USUBJID": u, "TRSEQ": len(tr_rows) + 1,
                                "TRLNKID": f"T{k + 1:02d}", "TRTESTCD": "LDIAM",
                                "TRTEST": "Longest Diameter", "TRORRES": str(size),
                                "TRORRESU": "mm", "TRSTRESC": str(size),
                                "TRSTRESN": float(size), "TRSTRESU": "mm",
                                "TREVAL": "INVESTIGATOR", "VISIT": visit, "VISITNUM": num,
                                "TRDTC": day(d)})  # fmt: skip
    for u, resp in (("P1", ("SD", "PD")), ("P2", ("PR", "PR"))):
        for (visit, num, d), r in zip(visits[1:], resp, strict=True):
            rs_rows.append({"USUBJID": u, "RSSEQ": len(rs_rows) + 1, "RSTESTCD": "OVRLRESP",
                            "RSTEST": "Overall Response", "RSORRES": r, "RSSTRESC": r,
                            "RSEVAL": "INVESTIGATOR", "VISIT": visit, "VISITNUM": num,
                            "RSDTC": day(d)})  # fmt: skip
    return {"dm": dm, "ex": ex, "ds": ds, "ae": ae, "vs": vs, "tu": _frame("TU", tu_rows),
            "tr": _frame("TR", tr_rows), "rs": _frame("RS", rs_rows)}  # fmt: skip
