"""Write the loaded and checked sample sheet as results/samples.tsv (gutbrain.steps.qc)."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.steps.qc import write_sample_table

write_sample_table(
    snakemake.input[0], snakemake.output[0], allow_mixed=snakemake.params.allow_mixed
)
