"""Score the official GBM/GMM module files on the predicted KO abundances."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.steps.function import score_module_files

score_module_files(
    snakemake.input.ko_abundance,
    list(snakemake.input.modules),
    snakemake.params.min_coverage,
    snakemake.output[0],
)
