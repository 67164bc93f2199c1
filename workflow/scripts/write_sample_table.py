"""Write the loaded and checked sample sheet as results/samples.tsv (gutbrain.samples)."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from gutbrain.samples import write_sample_table

write_sample_table(
    snakemake.input[0], snakemake.output[0], allow_mixed=snakemake.params.allow_mixed
)
