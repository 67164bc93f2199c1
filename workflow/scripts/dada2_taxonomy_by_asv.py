"""Key DADA2 classifications made in the denoising job by ASV ID (gutbrain.steps.taxonomy)."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.steps.taxonomy import assignments_by_asv

assignments_by_asv(snakemake.input.by_sequence, snakemake.input.fasta, snakemake.output[0])
