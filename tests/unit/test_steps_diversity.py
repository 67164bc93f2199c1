"""The diversity step (gutbrain.steps.diversity): reading the tree, writing every output."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from gutbrain import diversity as div
from gutbrain import pcoa_table
from gutbrain.errors import InputError
from gutbrain.steps.diversity import diversity, read_tree, write_diversity_outputs

NEWICK = "((A:1,B:2):1,(C:1,D:3):0.5);"


@pytest.fixture()
def tree_file(tmp_path: Path) -> Path:
    path = tmp_path / "tree.nwk"
    path.write_text(NEWICK + "\n", encoding="utf-8")
    return path


def test_read_tree_checks(tmp_path: Path, tree_file: Path) -> None:
    tree = read_tree(tree_file, ["A", "B", "C"])
    assert sorted(t.name for t in tree.tips()) == ["A", "B", "C", "D"]
    with pytest.raises(InputError, match=r"tree\.nwk: 1 ASV IDs of the table are not tips.*E"):
        read_tree(tree_file, ["A", "E"])
    no_length = tmp_path / "nolen.nwk"
    no_length.write_text("((A,B),(C,D));\n", encoding="utf-8")
    with pytest.raises(InputError, match="nolen.nwk"):
        read_tree(no_length, ["A"])
    with pytest.raises(InputError, match="not found"):
        read_tree(tmp_path / "absent.nwk", ["A"])


def test_write_diversity_outputs(tmp_path: Path, tree_file: Path) -> None:
    table = pd.DataFrame(
        {"s1": [8, 4, 2, 2], "s2": [10, 6, 0, 0], "s3": [0, 4, 8, 4], "s4": [1, 0, 0, 0]},
        index=pd.Index(list("ABCD"), name="asv_id"),
    )
    tree = read_tree(tree_file, list(table.index))
    record = write_diversity_outputs(table, tmp_path, tree, min_depth=10, keep_fraction=0.75,
                                     seed=3)
    assert record["depth"] == 16 and record["excluded_samples"].keys() == {"s4"}
    names = sorted(p.name for p in tmp_path.iterdir() if p.name != "tree.nwk")
    assert names == sorted(["alpha.tsv", "rarefaction.json"]
                           + [f"beta_{m}.tsv" for m in div.BETA_METRICS_TREE]
                           + [f"pcoa_{m}.tsv" for m in div.BETA_METRICS_TREE])
    alpha = pd.read_csv(tmp_path / "alpha.tsv", sep="\t")
    assert alpha.columns.tolist() == div.ALPHA_COLUMNS
    saved = json.loads((tmp_path / "rarefaction.json").read_text(encoding="utf-8"))
    assert saved["depth"] == 16 and saved["rule"] == div.RAREFACTION_RULE
    beta = pd.read_csv(tmp_path / "beta_braycurtis.tsv", sep="\t", index_col="sample")
    assert beta.index.tolist() == ["s1", "s2", "s3"] == beta.columns.tolist()
    coords, props, note = pcoa_table.read_pcoa_tsv(tmp_path / "pcoa_weighted_unifrac.tsv")
    assert len(coords) == 3 and note == "" and math.isclose(props.sum(), props.sum())


def test_diversity_rule_writes_beside_alpha_and_logs_the_reason(tmp_path, tree_file, capsys):
    table = tmp_path / "asv_table_filtered.tsv"
    table.write_text("asv_id\ts1\ts2\nA\t8\t10\nB\t4\t6\nC\t2\t0\nD\t2\t0\n", encoding="utf-8")
    out = tmp_path / "diversity"
    record = diversity(str(table), str(tree_file), str(out / "alpha.tsv"), seed=1)
    assert (out / "alpha.tsv").exists() and (out / "rarefaction.json").exists()
    assert record["reason"] in capsys.readouterr().err
