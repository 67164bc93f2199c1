"""Ingest PICRUSt2 predictions into the pipeline's function tables (gutbrain.steps.function)."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.steps.function import ingest_picrust2

i = snakemake.input
ingest_picrust2(
    asv_table=i.table,
    taxonomy=i.taxonomy,
    functions=i.functions,
    marker=i.marker,
    catalog=i.catalog,
    markers=i.markers,
    max_nsti=snakemake.params.max_nsti,
    out=dict(snakemake.output.items()),
    ec_functions=i.ec,
)
