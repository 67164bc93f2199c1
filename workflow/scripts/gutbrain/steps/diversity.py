"""The diversity step (``workflow/rules/diversity.smk``): read the on-target ASV table and the
tree, compute with :mod:`gutbrain.diversity`, write the tables, PCoA files and rarefaction
record."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pandas as pd
from skbio import TreeNode

from gutbrain.asv import read_asv_table
from gutbrain.diversity import checked_tree, diversity_outputs
from gutbrain.errors import InputError
from gutbrain.io import write_text, write_tsv


def read_tree(path: str | os.PathLike[str], asv_ids: list[str]) -> TreeNode:
    """Read a Newick tree, check it against the ASV IDs and root it at its midpoint
    (:func:`gutbrain.diversity.checked_tree`)."""
    path = Path(path)
    try:
        # Newick turns unquoted underscores into spaces unless told not to (ASV_... IDs).
        tree = TreeNode.read(str(path), format="newick", convert_underscores=False)
    except FileNotFoundError as err:
        raise InputError(f"{path}: tree file not found; run the phylogeny step first") from err
    except Exception as err:  # skbio raises its own format errors
        raise InputError(f"{path}: not a readable Newick tree ({err}); rebuild the tree") from err
    return checked_tree(tree, asv_ids, path)


def write_diversity_outputs(
    asv_table: pd.DataFrame,
    outdir: str | os.PathLike[str],
    tree: TreeNode | None = None,
    *,
    min_depth: int = 1000,
    keep_fraction: float = 0.9,
    seed: int = 0,
) -> dict[str, object]:
    """Compute everything of the diversity step and write it under ``outdir``.

    Writes ``alpha.tsv``, ``beta_<metric>.tsv``, ``pcoa_<metric>.tsv`` (see
    :func:`gutbrain.diversity.diversity_outputs`) and ``rarefaction.json``. Returns the
    rarefaction record.
    """
    outdir = Path(outdir)
    files, record = diversity_outputs(
        asv_table, tree, min_depth=min_depth, keep_fraction=keep_fraction, seed=seed
    )
    for name, content in files.items():
        if isinstance(content, str):
            write_text(content, outdir / name)
        else:
            write_tsv(content, outdir / name)
    write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", outdir / "rarefaction.json")
    return record


def diversity(table: str, tree: str, alpha_out: str, *, seed: int) -> dict[str, object]:
    """The rule ``diversity``: every output goes to the folder of ``alpha_out``; the reason for
    the rarefaction depth goes to the log."""
    asv_table = read_asv_table(table)
    record = write_diversity_outputs(
        asv_table, Path(alpha_out).parent, read_tree(tree, list(asv_table.index)), seed=seed
    )
    print(record["reason"], file=sys.stderr)
    return record
