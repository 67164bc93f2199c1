"""Normalise classifier output, flag and remove off-target ASVs (gutbrain.steps.taxonomy)."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.steps.taxonomy import filter_taxonomy

p = snakemake.params
filter_taxonomy(
    snakemake.input.assignments,
    snakemake.input.table,
    p.method,
    p.cutoff,
    p.off_target,
    snakemake.output.taxonomy,
    snakemake.output.table,
    snakemake.output.summary,
)
