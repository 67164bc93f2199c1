"""Alpha/beta diversity and PCoA of the on-target ASV table (gutbrain.diversity)."""

import sys
from pathlib import Path

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from gutbrain.diversity import read_asv_table, read_tree, write_diversity_outputs  # noqa: E402

table = read_asv_table(snakemake.input.table)  # noqa: F821
tree = read_tree(snakemake.input.tree, list(table.index))  # noqa: F821
record = write_diversity_outputs(
    table,
    Path(snakemake.output.alpha).parent,
    tree,
    seed=snakemake.params.seed,  # noqa: F821
)
print(record["reason"], file=sys.stderr)
