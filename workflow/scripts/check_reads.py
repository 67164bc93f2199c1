"""Check one sample's FASTQ files before any heavy job (see gutbrain.fastq_checks)."""

import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from gutbrain.fastq_checks import check_sample  # noqa: E402

check_sample(snakemake.wildcards.sample, list(snakemake.input), snakemake.output[0])  # noqa: F821
