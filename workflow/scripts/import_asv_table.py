"""Write the ASV table, FASTA and BIOM from an existing ASV table (gutbrain.steps.import_)."""

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.steps.import_ import import_asv_table

i = snakemake.input
o = snakemake.output
import_asv_table(
    i.table,
    i.seqs,
    snakemake.params.samples,
    o.table,
    o.fasta,
    o.biom,
    o.metadata,
    o.provenance,
    sheet_path=i.get("sheet") or None,
)
