"""Alpha/beta diversity and PCoA of the on-target ASV table (gutbrain.steps.diversity)."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.steps.diversity import diversity

diversity(
    snakemake.input.table,
    snakemake.input.tree,
    snakemake.output.alpha,
    seed=snakemake.params.seed,
)
