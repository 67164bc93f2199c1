"""Per-sample read counts at every step (gutbrain.tracking)."""

import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from gutbrain.tracking import track_reads  # noqa: E402

i = snakemake.input  # noqa: F821
p = snakemake.params  # noqa: F821
track_reads(
    samples=p.samples,
    cutadapt=list(i.cutadapt),
    denoise=i.denoise,
    prepare=list(i.prepare),
    table=i.table,
    primers=p.primers,
    min_primer_fraction=p.min_primer_fraction,
    out_tsv=snakemake.output.tsv,
    out_mqc=snakemake.output.mqc,  # noqa: F821
)
