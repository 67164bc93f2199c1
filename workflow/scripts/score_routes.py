"""Genome-resolved route measures per sample (gutbrain.steps.function.score_routes)."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.steps.function import score_routes

i, p = snakemake.input, snakemake.params
score_routes(
    asv_table=i.table,
    taxonomy=i.taxonomy,
    routes=i.routes,
    reference=p.reference,
    genus_copies=i.genus_copies,
    present_share=p.present_share,
    min_resolved=p.min_resolved,
    out=dict(snakemake.output.items()),
)
