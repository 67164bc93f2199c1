"""Denoise the run with UNOISE3 and remove chimeras (gutbrain.steps.denoise)."""

from gutbrain.steps import configure_logging

log = configure_logging(snakemake.log[0])

from gutbrain.steps.denoise import unoise_denoise

p = snakemake.params
unoise_denoise(
    dict(zip(p.samples, snakemake.input.uniques, strict=True)),
    snakemake.output.seqtab,
    snakemake.output.tracking,
    minsize=p.minsize,
    alpha=p.alpha,
    threads=snakemake.threads,
    log=log,
)
