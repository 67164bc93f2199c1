"""Gather the provenance records of every reference used into results/provenance.tsv
(gutbrain.steps.references)."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.steps.references import collect_provenance

collect_provenance(list(snakemake.input), snakemake.output[0])
