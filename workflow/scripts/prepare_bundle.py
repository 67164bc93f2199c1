"""Validate the reference bundle and write its vsearch database (gutbrain.function_steps)."""

from gutbrain.function_steps import configure_logging, prepare_bundle

configure_logging(snakemake.log[0])  # noqa: F821
i = snakemake.input  # noqa: F821
files = {k[len("bundle_") :]: v for k, v in i.items() if k.startswith("bundle_")}
prepare_bundle(
    files,
    i.catalog,
    i.markers,
    snakemake.output.db,
    snakemake.output.provenance,  # noqa: F821
    name=snakemake.params.name,
    source=snakemake.params.source,  # noqa: F821
)
