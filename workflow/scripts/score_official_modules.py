"""Score the official GBM/GMM module files on the predicted KO abundances."""

from gutbrain.function_steps import configure_logging, score_module_files

configure_logging(snakemake.log[0])
score_module_files(
    snakemake.input.ko_abundance,
    list(snakemake.input.modules),
    snakemake.params.min_coverage,
    snakemake.output[0],
)
