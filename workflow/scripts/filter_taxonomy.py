"""Normalise classifier output, flag and remove off-target ASVs (gutbrain.taxonomy)."""

import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from gutbrain.taxonomy import filter_taxonomy  # noqa: E402

p = snakemake.params  # noqa: F821
filter_taxonomy(
    snakemake.input.assignments,
    snakemake.input.table,  # noqa: F821
    p.method,
    p.cutoff,
    p.off_target,
    snakemake.output.taxonomy,
    snakemake.output.table,
    snakemake.output.summary,  # noqa: F821
)
