"""Denoise the run with UNOISE3 and remove chimeras and, with DADA2 taxonomy, classify the
sequences (gutbrain.steps.denoise)."""

from gutbrain.steps import configure_logging

log = configure_logging(snakemake.log[0])

from gutbrain.early_classifier import Dada2Settings
from gutbrain.steps.denoise import unoise_denoise

p = snakemake.params
classify = None
if "taxonomy" in snakemake.output.keys():
    settings = Dada2Settings(
        reference=snakemake.input.reference,
        species=snakemake.input.get("species", ""),
        min_boot=p.min_boot,
        seed=p.taxonomy_seed,
        threads=snakemake.threads,
    )
    classify = (settings, snakemake.output.taxonomy)
unoise_denoise(
    dict(zip(p.samples, snakemake.input.uniques, strict=True)),
    snakemake.output.seqtab,
    snakemake.output.tracking,
    minsize=p.minsize,
    alpha=p.alpha,
    threads=snakemake.threads,
    log=log,
    classify=classify,
)
