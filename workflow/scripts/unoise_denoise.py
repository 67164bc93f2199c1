"""Denoise the run with UNOISE3 and remove chimeras (gutbrain.unoise)."""

from gutbrain.steps import configure_logging

log = configure_logging(snakemake.log[0])

from gutbrain.unoise import denoise_run

p = snakemake.params
denoise_run(
    dict(zip(p.samples, snakemake.input.uniques, strict=True)),
    snakemake.output.seqtab,
    snakemake.output.tracking,
    minsize=p.minsize,
    alpha=p.alpha,
    threads=snakemake.threads,
    log=log,
)
