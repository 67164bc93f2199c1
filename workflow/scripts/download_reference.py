"""Download one reference file into the cache, verifying its sha256 (gutbrain.steps.references)."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.steps.references import download_reference

download_reference(snakemake.params.source, snakemake.output[0])
