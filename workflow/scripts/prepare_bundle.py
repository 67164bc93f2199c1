"""Validate the reference bundle and write its vsearch database (gutbrain.steps.function)."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.steps.function import prepare_bundle

i = snakemake.input
files = {k[len("bundle_") :]: v for k, v in i.items() if k.startswith("bundle_")}
prepare_bundle(
    files,
    i.catalog,
    i.markers,
    snakemake.output.db,
    snakemake.output.provenance,
    name=snakemake.params.name,
    source=snakemake.params.source,
)
