"""Alpha/beta diversity and PCoA of the on-target ASV table (gutbrain.diversity)."""

import sys
from pathlib import Path

from gutbrain.steps import configure_logging

configure_logging(snakemake.log[0])

from gutbrain.asv import read_asv_table
from gutbrain.diversity import read_tree, write_diversity_outputs

table = read_asv_table(snakemake.input.table)
tree = read_tree(snakemake.input.tree, list(table.index))
record = write_diversity_outputs(
    table,
    Path(snakemake.output.alpha).parent,
    tree,
    seed=snakemake.params.seed,
)
print(record["reason"], file=sys.stderr)
