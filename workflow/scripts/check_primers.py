"""Check the fraction of reads that carried the primer, for every sample (gutbrain.steps.qc)."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.steps.qc import check_primers

p = snakemake.params
check_primers(
    p.samples, list(snakemake.input), p.primers, p.require, p.min_fraction, snakemake.output[0]
)
