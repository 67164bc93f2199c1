"""Module scores, module contributions and marker genes (gutbrain.function_steps)."""

from gutbrain.function_steps import configure_logging, score

configure_logging(snakemake.log[0])  # noqa: F821
i = snakemake.input  # noqa: F821
score(
    ko_abundance_tsv=i.ko_abundance,
    asv_ko_tsv=i.asv_ko,
    predictions=i.predictions,
    asv_table=i.table,
    taxonomy=i.taxonomy,
    contributions=i.contributions,
    catalog=i.catalog,
    markers=i.markers,
    min_coverage=snakemake.params.min_coverage,  # noqa: F821
    out=dict(snakemake.output.items()),  # noqa: F821
)
