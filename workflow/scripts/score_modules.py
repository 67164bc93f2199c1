"""Module scores, module contributions and marker genes (gutbrain.steps.function)."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.steps.function import score

i = snakemake.input
score(
    ko_abundance_tsv=i.ko_abundance,
    asv_ko_tsv=i.asv_ko,
    predictions=i.predictions,
    asv_table=i.table,
    taxonomy=i.taxonomy,
    contributions=i.contributions,
    catalog=i.catalog,
    markers=i.markers,
    min_coverage=snakemake.params.min_coverage,
    ko_ec=i.ko_ec[0] if i.ko_ec else None,
    out=dict(snakemake.output.items()),
)
