"""Per-sample read counts of a run started from an ASV table (gutbrain.steps.report)."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.steps.report import track_imported_reads

track_imported_reads(
    samples=snakemake.params.samples,
    imported=snakemake.input.imported,
    table=snakemake.input.table,
    out_tsv=snakemake.output.tsv,
    out_mqc=snakemake.output.mqc,
)
