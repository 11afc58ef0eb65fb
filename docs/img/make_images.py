"""Regenerate the README's and docs' example images from the demo's trial (seed 7):

    python docs/img/make_images.py
"""

from __future__ import annotations

from pathlib import Path

from oncotrial.adam import derive_adam
from oncotrial.protocol import load
from oncotrial.report.figures import km_figure, spider_figure, swimmer_figure, waterfall_figure
from oncotrial.sim import load_scenario, simulate_trial

HERE = Path(__file__).parent


def main() -> None:
    p = load("nct01010126")
    adam = derive_adam(simulate_trial(p, load_scenario("nct01010126", protocol=p), seed=7),
                       protocol=p)  # fmt: skip
    figures = {
        "figure_km_pfs": km_figure(adam, p, paramcd="PFS"),
        "figure_waterfall": waterfall_figure(adam, p),
        "figure_swimmer": swimmer_figure(adam, p),
        "figure_spider": spider_figure(adam, p),
    }
    for name, fig in figures.items():
        fig.savefig(HERE / f"{name}.png", dpi=100, metadata={"Software": None})
        print(HERE / f"{name}.png")


if __name__ == "__main__":
    main()
