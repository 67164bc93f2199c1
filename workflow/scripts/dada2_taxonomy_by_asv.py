"""Key DADA2 classifications made in the denoising session by ASV ID (gutbrain.taxonomy)."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from gutbrain.taxonomy import assignments_by_asv

assignments_by_asv(snakemake.input.by_sequence, snakemake.input.fasta, snakemake.output[0])
