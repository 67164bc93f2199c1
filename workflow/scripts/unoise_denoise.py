"""Denoise the run with UNOISE3 and remove chimeras (gutbrain.unoise)."""

import sys

log = open(snakemake.log[0], "w")  # noqa: F821
sys.stderr = log

from gutbrain.unoise import denoise_run  # noqa: E402

p = snakemake.params  # noqa: F821
denoise_run(
    dict(zip(p.samples, snakemake.input.uniques, strict=True)),  # noqa: F821
    snakemake.output.seqtab,  # noqa: F821
    snakemake.output.tracking,  # noqa: F821
    minsize=p.minsize,
    alpha=p.alpha,
    threads=snakemake.threads,  # noqa: F821
    log=log,
)
