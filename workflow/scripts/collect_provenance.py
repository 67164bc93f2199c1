"""Gather the provenance records of every reference used into results/provenance.tsv."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.references import gather_provenance

gather_provenance(list(snakemake.input), snakemake.output[0])
