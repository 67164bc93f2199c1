"""Per-sample read counts at every step, flagged with the primer check's verdicts
(gutbrain.tracking)."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from gutbrain.tracking import track_reads

i = snakemake.input
track_reads(
    samples=snakemake.params.samples,
    cutadapt=list(i.cutadapt),
    denoise=i.denoise,
    prepare=list(i.prepare),
    table=i.table,
    primer_check=i.primer_check,
    out_tsv=snakemake.output.tsv,
    out_mqc=snakemake.output.mqc,
)
