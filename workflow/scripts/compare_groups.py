"""One contrast of the group comparison (gutbrain.steps.compare.compare_contrast)."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.compare import contrast_from_params
from gutbrain.steps.compare import compare_contrast

i, p = snakemake.input, snakemake.params
compare_contrast(
    contrast=contrast_from_params(p.contrast),
    route_measures=i.route_measures,
    route_contributors=i.route_contributors,
    routes=i.routes,
    asv_table=i.table,
    taxonomy=i.taxonomy,
    reference=p.reference,
    genus_copies=i.genus_copies,
    confidence=i.confidence,
    fdr=p.fdr,
    out=dict(snakemake.output.items()),
)
