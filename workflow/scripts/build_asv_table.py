"""Build the ASV table, FASTA and BIOM from a denoiser's sequence table (gutbrain.asv)."""

import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from gutbrain.asv import AsvFilter, make_asv_outputs  # noqa: E402

p = snakemake.params  # noqa: F821
o = snakemake.output  # noqa: F821
make_asv_outputs(
    snakemake.input.seqtab,  # noqa: F821
    AsvFilter(p.min_length, p.max_length, p.min_abundance),
    o.table,
    o.fasta,
    o.biom,
    o.summary,
)
