"""Merge, filter and dereplicate one sample's reads for UNOISE3 (gutbrain.unoise)."""

import sys

log = open(snakemake.log[0], "w")  # noqa: F821
sys.stderr = log

from gutbrain.unoise import prepare_sample  # noqa: E402

p = snakemake.params  # noqa: F821
prepare_sample(
    snakemake.wildcards.sample,  # noqa: F821
    list(snakemake.input.reads),  # noqa: F821
    snakemake.output.uniques,  # noqa: F821
    snakemake.output.counts,  # noqa: F821
    min_overlap=p.min_overlap,
    max_ee=p.max_ee,
    min_len=p.min_len,
    trunc_q=p.trunc_q,
    threads=snakemake.threads,  # noqa: F821
    log=log,
)
