"""Per-sample read counts of a run started from an ASV table (gutbrain.tracking)."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from gutbrain.tracking import track_imported_reads

track_imported_reads(
    samples=snakemake.params.samples,
    imported=snakemake.input.imported,
    table=snakemake.input.table,
    out_tsv=snakemake.output.tsv,
    out_mqc=snakemake.output.mqc,
)
