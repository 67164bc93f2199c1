"""Nearest-genome functional prediction for every ASV (gutbrain.steps.function)."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.steps.function import predict_function

i = snakemake.input
p = snakemake.params
predict_function(
    asv_fasta=i.asv_fasta,
    asv_table=i.table,
    taxonomy=i.taxonomy,
    search_db=i.db,
    files={k[len("bundle_") :]: v for k, v in i.items() if k.startswith("bundle_")},
    catalog=i.catalog,
    markers=i.markers,
    top_k=p.top_k,
    min_identity=p.min_identity,
    max_distance=p.max_distance,
    threads=snakemake.threads,
    out=dict(snakemake.output.items()),
)
