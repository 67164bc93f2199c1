"""Nearest-genome functional prediction for every ASV (gutbrain.function_steps)."""

from gutbrain.function_steps import configure_logging, predict_function

configure_logging(snakemake.log[0])  # noqa: F821
i = snakemake.input  # noqa: F821
p = snakemake.params  # noqa: F821
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
    threads=snakemake.threads,  # noqa: F821
    out=dict(snakemake.output.items()),  # noqa: F821
)
