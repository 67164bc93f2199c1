"""Build the offline demo reference bundle (gutbrain.demo_bundle)."""

import sys
from pathlib import Path

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from gutbrain.demo_bundle import build_demo_bundle  # noqa: E402

i = snakemake.input  # noqa: F821
summary = build_demo_bundle(i.sintax, i.traits, i.copies, Path(snakemake.output.ko).parent)  # noqa: F821
print(summary, file=sys.stderr)
