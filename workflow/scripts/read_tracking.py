"""Per-sample read counts at every step, flagged with the primer check's verdicts
(gutbrain.steps.report)."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.steps.report import track_reads

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
    runs=list(snakemake.params.runs),
)
