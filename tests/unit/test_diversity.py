"""Tests for gutbrain.diversity: rarefaction rule, alpha/beta diversity, PCoA, trees, files."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from gutbrain import diversity as div
from gutbrain import pcoa_table
from gutbrain.errors import InputError
from skbio import DistanceMatrix, TreeNode

NEWICK = "((A:1,B:2):1,(C:1,D:3):0.5);"


def _table(columns: dict[str, list[int]], ids: str = "ABCD") -> pd.DataFrame:
    return pd.DataFrame(columns, index=pd.Index(list(ids)[: len(next(iter(columns.values())))],
                                               name="asv_id"))


def _tree(asv_ids, newick: str = NEWICK) -> TreeNode:
    """The test tree, checked against ``asv_ids`` and rooted at its midpoint."""
    tree = TreeNode.read(io.StringIO(newick + "\n"), format="newick", convert_underscores=False)
    return div.checked_tree(tree, asv_ids, "tree.nwk")


@pytest.mark.parametrize(
    ("counts", "min_depth", "keep", "depth", "reason_bits"),
    [
        ({"a": 5000, "b": 4000, "c": 3000, "d": 100}, 1000, 0.75, 3000,
         ["3 of 4", "d (100 reads)"]),
        ({"a": 5000, "b": 4000, "c": 3000, "d": 100}, 1000, 0.9, 1000,
         ["would need depth 100", "d (100 reads)"]),
        ({"a": 5000, "b": 4000, "c": 3000}, 1000, 0.9, 3000, ["no sample excluded"]),
        ({"a": 500, "b": 300}, 1000, 0.9, 300, ["every sample is below min_depth 1000"]),
        ({"a": 500, "b": 0}, 1000, 0.9, 500, ["every sample is below", "b (0 reads)"]),
        ({"a": 2000, "b": 0}, 1000, 0.9, 1000, ["b (0 reads)"]),
        ({"only": 42}, 1000, 0.9, 42, ["one sample", "only"]),
        ({"a": 0, "b": 0}, 1000, 0.9, 0, ["no sample has reads"]),
    ],
)
def test_choose_rarefaction_depth(counts, min_depth, keep, depth, reason_bits) -> None:
    chosen, reason = div.choose_rarefaction_depth(counts, min_depth=min_depth,
                                                  keep_fraction=keep)
    assert chosen == depth
    for bit in reason_bits:
        assert bit in reason


@pytest.mark.parametrize(("min_depth", "keep"), [(0, 0.9), (1000, 0.0), (1000, 1.5)])
def test_choose_rarefaction_depth_rejects_bad_settings(min_depth: int, keep: float) -> None:
    with pytest.raises(InputError):
        div.choose_rarefaction_depth({"a": 10}, min_depth=min_depth, keep_fraction=keep)


def test_excluded_samples() -> None:
    assert div.excluded_samples({"a": 10, "b": 3}, 5) == {
        "b": "3 reads, below the rarefaction depth of 5"}
    assert set(div.excluded_samples({"a": 0}, 0)) == {"a"}


def test_rarefy_depth_determinism_and_independence() -> None:
    table = _table({"s1": [50, 30, 20, 0], "s2": [5, 5, 0, 0], "s3": [10, 10, 10, 10]})
    first = div.rarefy(table, 20, seed=7)
    assert list(first.columns) == ["s1", "s3"]  # s2 (10 reads) is below the depth
    assert (first.sum() == 20).all()
    assert (first <= table[first.columns]).all().all()
    assert first.equals(div.rarefy(table, 20, seed=7))
    alone = div.rarefy(table[["s3"]], 20, seed=7)
    assert alone["s3"].equals(first["s3"])  # a sample's draw does not depend on the others
    assert not all(div.rarefy(table, 20, seed=s)["s1"].equals(first["s1"]) for s in range(8, 12))


def test_alpha_diversity_values() -> None:
    # Depth equal to each rarefied sample's total, so rarefied counts equal the input.
    table = _table({"s1": [8, 4, 2, 2], "s2": [16, 0, 0, 0], "s3": [1, 1, 0, 0]})
    tree = _tree(list(table.index))
    alpha = div.alpha_diversity(table, tree, depth=16, seed=1).set_index("sample")
    assert list(alpha.reset_index().columns) == div.ALPHA_COLUMNS
    p = np.array([8, 4, 2, 2]) / 16
    assert alpha.loc["s1", "shannon"] == pytest.approx(-(p * np.log(p)).sum())
    assert alpha.loc["s1", "simpson"] == pytest.approx(1 - (p**2).sum())
    assert alpha.loc["s1", "observed_asvs"] == 4
    # Midpoint-rooted tree: ((C:1,D:3):0.25,(A:1,B:2):1.25); all four tips = 8.5.
    assert alpha.loc["s1", "faith_pd"] == pytest.approx(8.5)
    assert alpha.loc["s2", "faith_pd"] == pytest.approx(2.25)
    assert alpha.loc["s2", "shannon"] == pytest.approx(0.0)
    assert alpha.loc["s3", "status"] == "below_depth"
    assert pd.isna(alpha.loc["s3", "shannon"]) and pd.isna(alpha.loc["s3", "observed_asvs"])
    assert alpha.loc["s3", "observed_asvs_unrarefied"] == 2
    assert (alpha["rarefaction_depth"] == 16).all()
    assert alpha.loc["s1", "reads"] == 16


def test_alpha_without_tree_has_empty_faith() -> None:
    alpha = div.alpha_diversity(_table({"s1": [3, 1, 0, 0]}), depth=4, seed=0)
    assert alpha["faith_pd"].isna().all()
    assert alpha.loc[0, "observed_asvs"] == 2


def test_beta_diversity_braycurtis_and_exclusion() -> None:
    table = _table({"s1": [2, 2, 0, 0], "s2": [4, 0, 0, 0], "s3": [0, 0, 4, 0],
                    "low": [1, 0, 0, 0]})
    betas = div.beta_diversity(table, depth=4, seed=0)
    assert set(betas) == {"braycurtis"}
    dm = betas["braycurtis"]
    assert list(dm.ids) == ["s1", "s2", "s3"]
    assert dm["s1", "s2"] == pytest.approx(0.5)
    assert dm["s1", "s3"] == pytest.approx(1.0)
    tree = _tree(list(table.index))
    with_tree = div.beta_diversity(table, tree, depth=4, seed=0)
    assert set(with_tree) == {"braycurtis", "weighted_unifrac", "unweighted_unifrac"}
    assert with_tree["unweighted_unifrac"]["s1", "s2"] > 0


@pytest.mark.parametrize(("columns", "n"), [({"a": [0, 0, 0, 0]}, 0), ({"a": [3, 1, 0, 0]}, 1),
                                            ({"a": [3, 1, 0, 0], "b": [0, 4, 0, 0]}, 2)])
def test_beta_and_pcoa_with_few_samples(columns: dict, n: int) -> None:
    betas = div.beta_diversity(_table(columns), depth=4, seed=0)
    dm = betas.get("braycurtis")
    assert (dm.shape[0] if dm is not None else 0) == n
    reason = div.pcoa_skip_reason(dm)
    assert reason is not None and f"{n} sample(s)" in reason and "at least 3" in reason
    if dm is not None:
        with pytest.raises(ValueError, match="at least 3"):
            div.pcoa(dm)


def test_pcoa_coordinates_and_identical_samples() -> None:
    rng = np.random.default_rng(3)
    data = rng.integers(0, 50, size=(4, 6))
    table = pd.DataFrame(data, index=[f"A{i}" for i in range(4)],
                         columns=[f"s{j}" for j in range(6)])
    dm = div.beta_diversity(table, depth=int(table.sum().min()), seed=0)["braycurtis"]
    coords, proportions = div.pcoa(dm)
    assert list(coords.columns) == ["sample", "PC1", "PC2", "PC3"]
    assert list(coords["sample"]) == [f"s{j}" for j in range(6)]
    assert list(proportions.index) == ["PC1", "PC2", "PC3"]
    assert 0 < proportions.sum() <= 1 + 1e-9
    assert proportions.is_monotonic_decreasing
    same = DistanceMatrix(np.zeros((3, 3)), ids=["a", "b", "c"])
    assert "identical" in div.pcoa_skip_reason(same)


def test_tree_checks() -> None:
    tree = _tree(["A", "B", "C"])
    assert sorted(t.name for t in tree.tips()) == ["A", "B", "C", "D"]
    assert len(tree.children) == 2
    with pytest.raises(InputError, match=r"tree\.nwk: 1 ASV IDs of the table are not tips.*E"):
        _tree(["A", "E"])
    with pytest.raises(InputError, match=r"tree\.nwk: an internal branch has no length"):
        _tree(["A"], "((A,B),(C,D));")


def test_pcoa_file_round_trip(tmp_path: Path) -> None:
    coords = pd.DataFrame({"sample": ["a", "b", "c"], "PC1": [0.1, -0.2, 0.1],
                           "PC2": [0.0, 0.3, -0.3], "PC3": [0.0, 0.0, 0.0]})
    proportions = pd.Series({"PC1": 0.6, "PC2": 0.3, "PC3": 0.1})
    path = tmp_path / "pcoa_braycurtis.tsv"
    path.write_text(pcoa_table.format_pcoa_tsv(coords, proportions, "braycurtis"), encoding="utf-8")
    back, props, note = pcoa_table.read_pcoa_tsv(path)
    assert back["sample"].tolist() == ["a", "b", "c"]
    assert back["PC2"].tolist() == [0.0, 0.3, -0.3]
    assert props.to_dict() == {"PC1": 0.6, "PC2": 0.3, "PC3": 0.1} and note == ""
    empty = tmp_path / "pcoa_none.tsv"
    empty.write_text(pcoa_table.format_pcoa_tsv(None, None, "braycurtis", note="too\nfew"),
                     encoding="utf-8")
    back, props, note = pcoa_table.read_pcoa_tsv(empty)
    assert back.empty and props.empty and note == "too few"


def test_diversity_outputs() -> None:
    table = _table({"s1": [8, 4, 2, 2], "s2": [10, 6, 0, 0], "s3": [0, 4, 8, 4],
                    "s4": [1, 0, 0, 0]})
    files, record = div.diversity_outputs(table, _tree(list(table.index)), min_depth=10,
                                          keep_fraction=0.75, seed=3)
    assert record["depth"] == 16 and record["excluded_samples"].keys() == {"s4"}
    assert record["rule"] == div.RAREFACTION_RULE
    assert list(files) == ["alpha.tsv"] + [
        name for m in div.BETA_METRICS_TREE for name in (f"beta_{m}.tsv", f"pcoa_{m}.tsv")
    ]
    assert files["alpha.tsv"].columns.tolist() == div.ALPHA_COLUMNS
    beta = files["beta_braycurtis.tsv"].set_index("sample")
    assert beta.index.tolist() == ["s1", "s2", "s3"] == beta.columns.tolist()
    assert files["pcoa_braycurtis.tsv"].startswith("# metric: braycurtis\n# proportion_explained")


def test_real_dada2_feature_table(shared_data: Path) -> None:
    """The q2-dada2 expected single-end feature table (16 Moving Pictures samples)."""
    path = shared_data / "q2_testdata" / "dada2_expected" / "single-default.tsv"
    table = pd.read_csv(path, sep="\t", skiprows=1, index_col=0).round().astype("int64")
    reads = table.sum().to_dict()
    depth, reason = div.choose_rarefaction_depth(reads, min_depth=20, keep_fraction=0.9)
    assert depth >= 20 and "excluded" in reason or "no sample excluded" in reason
    alpha = div.alpha_diversity(table, depth=depth, seed=42)
    kept = alpha[alpha["status"] == "rarefied"]
    assert len(kept) >= math.ceil(0.9 * table.shape[1])
    assert kept["shannon"].between(0, math.log(depth)).all()
    assert kept["simpson"].between(0, 1).all()
    assert (kept["observed_asvs"] <= kept["observed_asvs_unrarefied"]).all()
    dm = div.beta_diversity(table, depth=depth, seed=42)["braycurtis"]
    coords, proportions = div.pcoa(dm)
    assert len(coords) == len(kept)
    assert proportions["PC1"] >= proportions["PC2"] >= proportions["PC3"]
