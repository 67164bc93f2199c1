"""Download one reference file into the cache, verifying its sha256 (gutbrain.references)."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.references import download

source = snakemake.params.source
download(source["url"], snakemake.output[0], source.get("sha256", ""))
