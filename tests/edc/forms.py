"""Form payloads the EDC tests enter (values chosen by hand; expected results worked out below)."""

VS = {"VS": {"VSDTC": "2024-01-02", "WEIGHT": 70, "HEIGHT": 170}}
DM = {"DM": {"RFICDTC": "2024-01-01", "BRTHDTC": "1960-05-17", "SEX": "F", "RACE": "WHITE"}}
# Baseline: liver 40 mm + a node of 20 mm short axis = sum 60 mm; one non-target lesion.
TA_BASE = {
    "TA": {"TRDTC": "2024-01-02"},
    "TARGET": [
        {"LNKID": "T1", "LOC": "LIVER", "NODE": "N", "DIAM": 40},
        {"LNKID": "T2", "LOC": "MEDIASTINUM", "NODE": "Y", "DIAM": 20},
    ],
    "NONTARGET": [{"LNKID": "NT1", "LOC": "LUNG", "STATE": "PRESENT"}],
}


def ta_week8(liver: float, node: float, response: str | None = None) -> dict:
    """A week-8 assessment with the given diameters and investigator response."""
    ta: dict = {"TRDTC": "2024-03-04"}
    if response:
        ta["RSORRES"] = response
    return {
        "TA": ta,
        "TARGET": [
            {"LNKID": "T1", "LOC": "LIVER", "NODE": "N", "DIAM": liver},
            {"LNKID": "T2", "LOC": "MEDIASTINUM", "NODE": "Y", "DIAM": node},
        ],
        "NONTARGET": [{"LNKID": "NT1", "LOC": "LUNG", "STATE": "PRESENT"}],
    }


def dose(date: str, mg: float, level: str = "0", action: str = "NONE", reason: str | None = None):
    ex = {"EXSTDTC": date, "EXDOSE": mg, "EXLEVEL": level, "EXADJ": action}
    if reason:
        ex["EXADJRSN"] = reason
    return {"EX": ex}


def ae(term: str, grade: int, start: str, end: str | None = None, serious: str = "N") -> dict:
    row = {"AETERM": term, "AETOXGR": grade, "AESTDTC": start, "AESER": serious}
    if end:
        row["AEENDTC"] = end
    return {"AE": row}
