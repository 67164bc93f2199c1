"""Gather the provenance records of every reference used into results/provenance.tsv."""

import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from gutbrain.references import gather_provenance  # noqa: E402

gather_provenance(list(snakemake.input), snakemake.output[0])  # noqa: F821
