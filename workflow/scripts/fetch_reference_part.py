"""Download a further part of a taxonomy reference, from a Debian package when it names a
member, checking both checksums (gutbrain.steps.references)."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.steps.references import fetch_reference_part

fetch_reference_part(dict(snakemake.params.part), snakemake.output[0])
