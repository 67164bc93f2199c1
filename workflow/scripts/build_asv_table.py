"""Build the ASV table, FASTA and BIOM from a denoiser's sequence table and key the denoising
job's DADA2 classifications by ASV ID (gutbrain.steps.asv)."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.asv import AsvFilter
from gutbrain.steps.asv import make_asv_outputs

p = snakemake.params
o = snakemake.output
make_asv_outputs(
    snakemake.input.seqtab,
    AsvFilter(p.min_length, p.max_length, p.min_abundance),
    o.table,
    o.fasta,
    o.biom,
    o.summary,
    (snakemake.input.by_sequence, o.assignments) if "assignments" in o.keys() else None,
    id_scheme=p.asv_ids,
)
