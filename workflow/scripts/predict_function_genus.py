"""Genus-profile functional prediction for every ASV (gutbrain.steps.function)."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.steps.function import predict_function_genus

i = snakemake.input
predict_function_genus(
    asv_table=i.table,
    taxonomy=i.taxonomy,
    reference=snakemake.params.reference,
    catalog=i.catalog,
    markers=i.markers,
    out=dict(snakemake.output.items()),
)
